/** Who is calling whom, as Twilio reports it on the stream and in webhooks. */
export interface CallIdentity {
  callSid: string;
  accountSid: string;
  streamSid: string;
  from: string;
  to: string;
}

/**
 * Builds the messages Twilio sends on a Media Stream, numbering them as Twilio does: one
 * `sequenceNumber` counter for every message after `connected`, a separate `chunk` counter for media,
 * all as strings.
 */
export class StreamMessageFactory {
  private sequence = 0;
  private chunk = 0;

  constructor(private readonly call: CallIdentity) {}

  connected(): object {
    return { event: 'connected', protocol: 'Call', version: '1.0.0' };
  }

  start(customParameters: Record<string, string>): object {
    const { accountSid, streamSid, callSid } = this.call;
    return {
      ...this.header('start'),
      start: {
        accountSid,
        streamSid,
        callSid,
        tracks: ['inbound'],
        mediaFormat: {
          encoding: 'audio/x-mulaw',
          sampleRate: 8000,
          channels: 1,
        },
        customParameters,
      },
    };
  }

  /** One frame of caller audio; `timestampMs` is ms since the stream started. */
  media(codes: Buffer, timestampMs: number): object {
    return {
      ...this.header('media'),
      media: {
        track: 'inbound',
        chunk: String(++this.chunk),
        timestamp: String(timestampMs),
        payload: codes.toString('base64'),
      },
    };
  }

  /** A mark echoed back once its audio played (or was cleared). */
  mark(name: string): object {
    return { ...this.header('mark'), mark: { name } };
  }

  dtmf(digit: string): object {
    return { ...this.header('dtmf'), dtmf: { track: 'inbound_track', digit } };
  }

  stop(): object {
    const { accountSid, callSid } = this.call;
    return { ...this.header('stop'), stop: { accountSid, callSid } };
  }

  private header(event: string): Record<string, string> {
    return {
      event,
      sequenceNumber: String(++this.sequence),
      streamSid: this.call.streamSid,
    };
  }
}
