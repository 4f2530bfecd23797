import {
  MediaMessage,
  TwilioInboundMessage,
  TwilioMessageError,
} from './twilio-messages';

type Json = Record<string, unknown>;

/**
 * Media frames are ~50 a second per call, so the two layouts Twilio actually sends are matched by one
 * anchored regex each instead of JSON.parse. A match is by construction valid JSON with exactly these
 * fields (base64 cannot contain quotes or backslashes); anything else takes the general path below.
 */
const MEDIA_SID_FIRST =
  /^\{"event":"media","sequenceNumber":"(\d+)","streamSid":"([A-Za-z0-9]+)","media":\{"track":"([a-z_]+)","chunk":"(\d+)","timestamp":"(\d+)","payload":"([A-Za-z0-9+/]*={0,2})"\}\}$/;
const MEDIA_SID_LAST =
  /^\{"event":"media","sequenceNumber":"(\d+)","media":\{"track":"([a-z_]+)","chunk":"(\d+)","timestamp":"(\d+)","payload":"([A-Za-z0-9+/]*={0,2})"\},"streamSid":"([A-Za-z0-9]+)"\}$/;

function fastMedia(text: string): MediaMessage | undefined {
  if (text.charCodeAt(10) !== 109 /* m of "media" */) return undefined;
  let m = MEDIA_SID_LAST.exec(text);
  if (m) {
    return {
      event: 'media',
      sequenceNumber: m[1],
      streamSid: m[6],
      media: { track: m[2], chunk: m[3], timestamp: m[4], payload: m[5] },
    };
  }
  m = MEDIA_SID_FIRST.exec(text);
  if (m) {
    return {
      event: 'media',
      sequenceNumber: m[1],
      streamSid: m[2],
      media: { track: m[3], chunk: m[4], timestamp: m[5], payload: m[6] },
    };
  }
  return undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectField(parent: Json, key: string, where: string): Json {
  const value = parent[key];
  if (!isObject(value))
    throw new TwilioMessageError(`${where}.${key} must be an object`);
  return value;
}

function stringField(parent: Json, key: string, where: string): string {
  const value = parent[key];
  if (typeof value === 'string') return value;
  // Twilio sends counters as strings; tolerate numbers from other senders.
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new TwilioMessageError(`${where}.${key} must be a string`);
}

function optionalString(parent: Json, key: string, where: string): string {
  return parent[key] === undefined ? '' : stringField(parent, key, where);
}

function stringRecord(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value))
    throw new TwilioMessageError(`${where} must be an object`);
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string')
      throw new TwilioMessageError(`${where}.${key} must be a string`);
    out[key] = item;
  }
  return out;
}

function general(msg: Json): TwilioInboundMessage {
  const event = msg.event;
  switch (event) {
    case 'connected':
      return {
        event,
        protocol: optionalString(msg, 'protocol', 'connected'),
        version: optionalString(msg, 'version', 'connected'),
      };
    case 'start': {
      const start = objectField(msg, 'start', 'start');
      const format = objectField(start, 'mediaFormat', 'start');
      const tracks = start.tracks;
      return {
        event,
        sequenceNumber: optionalString(msg, 'sequenceNumber', 'start'),
        streamSid: stringField(msg, 'streamSid', 'start'),
        start: {
          accountSid: stringField(start, 'accountSid', 'start'),
          streamSid: stringField(start, 'streamSid', 'start'),
          callSid: stringField(start, 'callSid', 'start'),
          tracks: Array.isArray(tracks)
            ? tracks.filter((t): t is string => typeof t === 'string')
            : [],
          mediaFormat: {
            encoding: stringField(format, 'encoding', 'start.mediaFormat'),
            sampleRate: Number(format.sampleRate),
            channels: Number(format.channels ?? 1),
          },
          customParameters: stringRecord(
            start.customParameters,
            'start.customParameters',
          ),
        },
      };
    }
    case 'media': {
      const media = objectField(msg, 'media', 'media');
      const payload = media.payload;
      if (typeof payload !== 'string')
        throw new TwilioMessageError('media.payload must be a string');
      return {
        event,
        sequenceNumber: optionalString(msg, 'sequenceNumber', 'media'),
        streamSid: stringField(msg, 'streamSid', 'media'),
        media: {
          track: optionalString(media, 'track', 'media') || 'inbound',
          chunk: optionalString(media, 'chunk', 'media'),
          timestamp: optionalString(media, 'timestamp', 'media'),
          payload,
        },
      };
    }
    case 'dtmf': {
      const dtmf = objectField(msg, 'dtmf', 'dtmf');
      return {
        event,
        sequenceNumber: optionalString(msg, 'sequenceNumber', 'dtmf'),
        streamSid: stringField(msg, 'streamSid', 'dtmf'),
        dtmf: {
          track: optionalString(dtmf, 'track', 'dtmf'),
          digit: stringField(dtmf, 'digit', 'dtmf'),
        },
      };
    }
    case 'mark': {
      const mark = objectField(msg, 'mark', 'mark');
      return {
        event,
        sequenceNumber: optionalString(msg, 'sequenceNumber', 'mark'),
        streamSid: stringField(msg, 'streamSid', 'mark'),
        mark: { name: stringField(mark, 'name', 'mark') },
      };
    }
    case 'stop': {
      const stop = isObject(msg.stop) ? msg.stop : {};
      return {
        event,
        sequenceNumber: optionalString(msg, 'sequenceNumber', 'stop'),
        streamSid: stringField(msg, 'streamSid', 'stop'),
        stop: {
          accountSid: optionalString(stop, 'accountSid', 'stop'),
          callSid: optionalString(stop, 'callSid', 'stop'),
        },
      };
    }
    default:
      throw new TwilioMessageError(
        typeof event === 'string'
          ? `unknown event "${event.slice(0, 32)}"`
          : 'missing event',
      );
  }
}

/** Parses and validates one text frame from a Twilio Media Stream; throws TwilioMessageError. */
export function parseTwilioMessage(text: string): TwilioInboundMessage {
  const fast = fastMedia(text);
  if (fast) return fast;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TwilioMessageError('not JSON');
  }
  if (!isObject(parsed)) throw new TwilioMessageError('not a JSON object');
  return general(parsed);
}
