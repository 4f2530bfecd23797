/** What the Twilio module needs; the app maps its validated config onto this. */
export interface TwilioOptions {
  /** Public https origin Twilio reaches us on; every signature is checked against it. */
  webhookBaseUrl?: string;
  accountSid?: string;
  authToken?: string;
}

export const TWILIO_OPTIONS = 'TWILIO_OPTIONS';

export const MEDIA_STREAM_PATH = '/media-stream';
