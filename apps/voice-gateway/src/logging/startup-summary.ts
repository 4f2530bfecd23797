import { MEDIA_STREAM_PATH } from '@app/twilio';
import { INestApplication, Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AppConfig,
  appConfig,
  CallsConfig,
  callsConfig,
  GeminiConfig,
  geminiConfig,
  TwilioConfig,
  twilioConfig,
} from '../config';

/** A part of the service that is off, and the variable(s) that turn it on. */
export interface MissingSetting {
  /** What does not work until it is set. */
  what: string;
  /** The variable(s) to set. */
  set: string;
}

/** The one line the service logs once it listens (see `startupSummary`). */
export interface StartupSummary {
  msg: string;
  /** Where this process listens (HTTP and WebSockets). */
  listening: string;
  /** What to give Twilio: the number's voice webhook and status callback, and the stream URL. */
  twilio?: { incomingCall: string; callStatus: string; mediaStream: string };
  /** Which Gemini endpoint calls go to. */
  gemini: string;
  /** Parts that are off and the variable to set for each; empty when everything is configured. */
  notConfigured: MissingSetting[];
}

/** The configuration the summary reads (the app's typed config namespaces). */
export interface StartupInputs {
  listening: string;
  twilio: Partial<
    Pick<TwilioConfig, 'webhookBaseUrl' | 'authToken' | 'accountSid'>
  >;
  gemini: Partial<Pick<GeminiConfig, 'apiKey' | 'vertex' | 'liveUrl'>>;
  calls: Partial<Pick<CallsConfig, 'adminApiKey'>>;
}

/** The Gemini endpoint in an operator's words; a URL's query (it may carry a key) is left out. */
function geminiEndpoint(gemini: StartupInputs['gemini']): string {
  if (gemini.liveUrl) return `GEMINI_LIVE_URL ${gemini.liveUrl.split('?')[0]}`;
  if (!gemini.apiKey && gemini.vertex)
    return `Vertex AI (${gemini.vertex.project}, ${gemini.vertex.location})`;
  return 'Gemini API';
}

/** What is not configured, each with the variable to set; no values, so no secrets. */
function missingSettings(inputs: StartupInputs): MissingSetting[] {
  const { twilio, gemini, calls } = inputs;
  const missing: MissingSetting[] = [];
  if (!gemini.apiKey && !gemini.vertex)
    missing.push({
      what: 'Gemini credentials: every call hears an apology and hangs up',
      set: 'GEMINI_API_KEY (or GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION)',
    });
  const twilioMissing = [
    twilio.webhookBaseUrl ? undefined : 'WEBHOOK_BASE_URL',
    twilio.authToken ? undefined : 'TWILIO_AUTH_TOKEN',
  ].filter((name): name is string => name !== undefined);
  if (twilioMissing.length > 0)
    missing.push({
      what: 'Twilio webhooks and media streams: refused (403, 1008) as their signatures cannot be checked',
      set: twilioMissing.join(' and '),
    });
  if (!calls.adminApiKey)
    missing.push({
      what: 'admin API, console and browser tokens: off',
      set: 'ADMIN_API_KEY',
    });
  if (!twilio.accountSid || !twilio.authToken)
    missing.push({
      what: "hang-up, transfer and outbound calls over Twilio's REST API: off",
      set: twilio.authToken
        ? 'TWILIO_ACCOUNT_SID'
        : 'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN',
    });
  return missing;
}

/**
 * The startup line: where the service listens, the URLs to give Twilio (from WEBHOOK_BASE_URL), the
 * Gemini endpoint, and each part that is not configured with the variable to set.
 */
export function startupSummary(inputs: StartupInputs): StartupSummary {
  const base = inputs.twilio.webhookBaseUrl;
  const twilio = base
    ? {
        incomingCall: `${base}/incoming-call`,
        callStatus: `${base}/call-status`,
        mediaStream: base.replace(/^http/, 'ws') + MEDIA_STREAM_PATH,
      }
    : undefined;
  const notConfigured = missingSettings(inputs);
  const parts = [`Listening on ${inputs.listening}`];
  if (twilio)
    parts.push(
      `Twilio voice webhook POST ${twilio.incomingCall}, status callback POST ${twilio.callStatus}`,
    );
  if (notConfigured.length > 0)
    parts.push(
      `not configured: ${notConfigured.map((item) => item.set).join('; ')}`,
    );
  return {
    msg: parts.join('; '),
    listening: inputs.listening,
    ...(twilio ? { twilio } : {}),
    gemini: geminiEndpoint(inputs.gemini),
    notConfigured,
  };
}

/** Logs `startupSummary` for a listening app at info, as one JSON line (context `Startup`). */
export function logStartupSummary(app: INestApplication): void {
  const { host } = app.get<AppConfig>(appConfig.KEY);
  const address = (app.getHttpServer() as Server).address() as AddressInfo;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const summary = startupSummary({
    listening: `http://${hostPart}:${address.port}`,
    twilio: app.get<TwilioConfig>(twilioConfig.KEY),
    gemini: app.get<GeminiConfig>(geminiConfig.KEY),
    calls: app.get<CallsConfig>(callsConfig.KEY),
  });
  new Logger('Startup').log(summary);
}
