import { ServiceStreamMessage } from './twilio-call.types';

export interface CheckedMessage {
  event: string;
  message: ServiceStreamMessage;
  errors: string[];
  /** False when Twilio would ignore it (binary frame, wrong streamSid). */
  accepted: boolean;
  /** Decoded μ-law bytes of a media message. */
  payload?: Buffer;
  markName?: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Reads one frame the service sent on a bidirectional Media Stream and lists what Twilio would reject
 * or ignore: binary frames, bad JSON, unknown events, a wrong streamSid, a missing or non-base64 media
 * payload (or one carrying a WAV header), a mark without a name.
 */
export function checkServiceMessage(
  raw: string,
  binary: boolean,
  streamSid: string,
): CheckedMessage {
  const errors: string[] = [];
  if (binary) errors.push('binary frame (Twilio expects JSON text frames)');
  let message: ServiceStreamMessage;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    message = parsed as ServiceStreamMessage;
  } catch {
    return {
      event: '<invalid>',
      message: {},
      errors: [...errors, `invalid JSON: ${raw.slice(0, 80)}`],
      accepted: false,
    };
  }
  const event = typeof message.event === 'string' ? message.event : '<missing>';
  if (!['media', 'mark', 'clear'].includes(event))
    errors.push(`unknown event ${event}`);
  const sidOk = message.streamSid === streamSid;
  if (!sidOk)
    errors.push(`${event} with streamSid ${String(message.streamSid)}`);
  const result: CheckedMessage = {
    event,
    message,
    errors,
    accepted: sidOk && !binary,
  };
  if (event === 'media') {
    const payload: unknown = message.media?.payload;
    if (
      typeof payload !== 'string' ||
      payload === '' ||
      !BASE64.test(payload)
    ) {
      errors.push('media without a base64 payload');
    } else {
      result.payload = Buffer.from(payload, 'base64');
      if (result.payload.subarray(0, 4).toString('latin1') === 'RIFF')
        errors.push('media payload has a WAV header');
    }
  }
  if (event === 'mark') {
    const name: unknown = message.mark?.name;
    if (typeof name === 'string') result.markName = name;
    else errors.push('mark without a name');
  }
  return result;
}
