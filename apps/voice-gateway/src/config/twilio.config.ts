import { ConfigType, registerAs } from '@nestjs/config';
import { parseEnv } from './env.validation';

export const twilioConfig = registerAs('twilio', () => {
  const env = parseEnv(process.env);
  return {
    /** Public https origin Twilio calls; signatures are checked against it. */
    webhookBaseUrl: env.WEBHOOK_BASE_URL,
    accountSid: env.TWILIO_ACCOUNT_SID,
    authToken: env.TWILIO_AUTH_TOKEN,
    phoneNumber: env.TWILIO_PHONE_NUMBER,
    /** Overrides Twilio's REST origin (a fake Twilio API in tests). */
    apiBaseUrl: env.TWILIO_API_BASE_URL,
  };
});

export type TwilioConfig = ConfigType<typeof twilioConfig>;
