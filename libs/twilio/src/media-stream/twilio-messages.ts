/** Twilio Media Streams messages (bidirectional `<Connect><Stream>`); counters arrive as strings. */

export interface ConnectedMessage {
  event: 'connected';
  protocol: string;
  version: string;
}

export interface StartMessage {
  event: 'start';
  sequenceNumber: string;
  streamSid: string;
  start: {
    accountSid: string;
    streamSid: string;
    callSid: string;
    tracks: string[];
    mediaFormat: { encoding: string; sampleRate: number; channels: number };
    customParameters: Record<string, string>;
  };
}

export interface MediaMessage {
  event: 'media';
  sequenceNumber: string;
  streamSid: string;
  media: { track: string; chunk: string; timestamp: string; payload: string };
}

export interface DtmfMessage {
  event: 'dtmf';
  sequenceNumber: string;
  streamSid: string;
  dtmf: { track: string; digit: string };
}

export interface MarkMessage {
  event: 'mark';
  sequenceNumber: string;
  streamSid: string;
  mark: { name: string };
}

export interface StopMessage {
  event: 'stop';
  sequenceNumber: string;
  streamSid: string;
  stop: { accountSid: string; callSid: string };
}

export type TwilioInboundMessage =
  | ConnectedMessage
  | StartMessage
  | MediaMessage
  | DtmfMessage
  | MarkMessage
  | StopMessage;

/** A frame that is not a valid Media Streams message; `message` says why. */
export class TwilioMessageError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'TwilioMessageError';
  }
}

/**
 * Outbound frames are built as strings: the only variable parts are the stream id (JSON-escaped once per
 * stream) and base64 payloads or mark names, so no object graph is built and stringified per frame.
 */
export class TwilioFrameWriter {
  private readonly sid: string;

  constructor(streamSid: string) {
    this.sid = JSON.stringify(streamSid);
  }

  /** `payload` must be base64 (it is inserted unescaped). */
  media(payload: string): string {
    return `{"event":"media","streamSid":${this.sid},"media":{"payload":"${payload}"}}`;
  }

  mark(name: string): string {
    return `{"event":"mark","streamSid":${this.sid},"mark":{"name":${JSON.stringify(name)}}}`;
  }

  clear(): string {
    return `{"event":"clear","streamSid":${this.sid}}`;
  }
}
