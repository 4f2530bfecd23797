import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateRequest } from 'twilio';
import WebSocket, { WebSocketServer } from 'ws';
import { pcmToMulaw } from '../audio/pcm.util';
import { waitForItem } from '../shared/waiters.util';
import { TwilioCallSimulator } from './twilio-call.simulator';

/** A Media Streams message as these tests read it. */
export interface Json {
  event: string;
  sequenceNumber?: string;
  streamSid?: string;
  protocol?: string;
  version?: string;
  media?: {
    track?: string;
    chunk?: string;
    timestamp?: string;
    payload: string;
  };
  mark?: { name: string };
  start?: object;
  stop?: object;
}
export const TOKEN = 'auth-token';
export const PUBLIC = 'https://voice.example.test';
export const STREAM_TWIML = `<?xml version="1.0" encoding="UTF-8"?><Response><Connect>
  <Stream url="wss://voice.example.test/media-stream"><Parameter name="token" value="t-1"/></Stream>
</Connect></Response>`;

/** A stand-in for the service: checks Twilio signatures, answers TwiML, records the stream. */
export class FakeService {
  twiml = STREAM_TWIML;
  readonly forms: {
    path: string;
    params: Record<string, string>;
    signed: boolean;
  }[] = [];
  readonly messages: { at: number; message: Json }[] = [];
  handshakeSigned?: boolean;
  socket?: WebSocket;
  private readonly listeners = new Set<
    (m: { at: number; message: Json }) => void
  >();
  private readonly wss = new WebSocketServer({ noServer: true });
  readonly server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(body));
      const signed = validateRequest(
        TOKEN,
        this.signature(req),
        PUBLIC + (req.url ?? ''),
        params,
      );
      this.forms.push({ path: req.url ?? '', params, signed });
      res
        .writeHead(signed ? 200 : 403, { 'content-type': 'text/xml' })
        .end(signed ? this.twiml : '');
    });
  });

  constructor() {
    this.server.on('upgrade', (req, socket, head) => {
      this.handshakeSigned = validateRequest(
        TOKEN,
        this.signature(req),
        'wss://voice.example.test/media-stream',
        {},
      );
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.socket = ws;
        ws.on('message', (data) => {
          const entry = {
            at: performance.now(),
            message: JSON.parse((data as Buffer).toString('utf8')) as Json,
          };
          this.messages.push(entry);
          for (const l of [...this.listeners]) l(entry);
        });
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  next(
    predicate: (m: Json) => boolean,
    timeoutMs = 2000,
  ): Promise<{ at: number; message: Json }> {
    const subscribe = (
      l: (m: { at: number; message: Json }) => void,
    ): (() => void) => {
      this.listeners.add(l);
      return () => this.listeners.delete(l);
    };
    return waitForItem(
      this.messages,
      subscribe,
      (e) => predicate(e.message),
      timeoutMs,
      'stream message',
    );
  }

  send(message: object): void {
    this.socket?.send(JSON.stringify(message));
  }

  /** Sends PCM as media messages of 160 μ-law bytes. */
  sendAudio(streamSid: string, pcm: Int16Array): void {
    for (let at = 0; at < pcm.length; at += 160) {
      const payload = pcmToMulaw(pcm.subarray(at, at + 160)).toString('base64');
      this.send({ event: 'media', streamSid, media: { payload } });
    }
  }

  private signature(req: IncomingMessage): string {
    return String(req.headers['x-twilio-signature'] ?? '');
  }
}

/** A fake service and a simulator (no idle silence, so only test audio is sent) per test. */
export class CallHarness {
  service!: FakeService;
  sim!: TwilioCallSimulator;

  async start(): Promise<void> {
    this.service = new FakeService();
    await new Promise<void>((resolve) =>
      this.service.server.listen(0, '127.0.0.1', resolve),
    );
    this.sim = new TwilioCallSimulator({
      serviceUrl: this.service.url,
      publicUrl: PUBLIC,
      authToken: TOKEN,
      idleSilence: false,
    });
  }

  async stop(): Promise<void> {
    await this.sim.hangUp();
    this.service.socket?.terminate();
    await new Promise((resolve) => this.service.server.close(resolve));
  }

  /** Media messages the service received. */
  media(): Json[] {
    return this.service.messages
      .map((e) => e.message)
      .filter((m) => m.event === 'media');
  }
}
