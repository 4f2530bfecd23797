import WebSocket from 'ws';
import { int16ToBase64 } from '../audio/pcm.util';
import { waitForItem } from '../shared/waiters.util';
import { GEMINI_LIVE_PATH, GeminiLiveEmulator } from './gemini-live.emulator';
import { GeminiLiveEmulatorOptions } from './gemini-live.types';

export interface ServerContent {
  modelTurn?: { parts: { inlineData: { mimeType: string; data: string } }[] };
  inputTranscription?: { text: string };
  outputTranscription?: { text: string };
  interrupted?: boolean;
  generationComplete?: boolean;
  turnComplete?: boolean;
}

/** The server messages these tests read. */
export interface Json {
  setupComplete?: object;
  serverContent?: ServerContent;
  sessionResumptionUpdate?: {
    newHandle: string;
    resumable: boolean;
    lastConsumedClientMessageIndex?: string;
  };
  goAway?: { timeLeft: string };
  toolCall?: object;
}

/** A minimal Live API client that records every server frame and whether it was binary. */
export class LiveClient {
  readonly messages: Json[] = [];
  readonly binary: boolean[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly listeners = new Set<(m: Json) => void>();

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const message = JSON.parse((data as Buffer).toString('utf8')) as Json;
      this.messages.push(message);
      this.binary.push(isBinary);
      for (const l of [...this.listeners]) l(message);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) =>
        resolve({ code, reason: reason.toString() }),
      ),
    );
  }

  static async open(
    url: string,
    headers: Record<string, string> = {},
  ): Promise<LiveClient> {
    const client = new LiveClient(new WebSocket(url, { headers }));
    await new Promise((resolve, reject) => {
      client.ws.once('open', resolve);
      client.ws.once('error', reject);
    });
    return client;
  }

  send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }

  next(predicate: (m: Json) => boolean, timeoutMs = 2000): Promise<Json> {
    const subscribe = (l: (m: Json) => void): (() => void) => {
      this.listeners.add(l);
      return () => this.listeners.delete(l);
    };
    return waitForItem(
      this.messages,
      subscribe,
      predicate,
      timeoutMs,
      'server message',
    );
  }

  /** Sends 16 kHz PCM as realtimeInput.audio in 20 ms messages. */
  sendAudio(samples: Int16Array): void {
    for (let at = 0; at < samples.length; at += 320) {
      const data = int16ToBase64(samples.subarray(at, at + 320));
      this.send({
        realtimeInput: { audio: { data, mimeType: 'audio/pcm;rate=16000' } },
      });
    }
  }
}

export const SETUP = {
  setup: {
    model: 'models/gemini-3.8-live',
    generationConfig: { responseModalities: ['AUDIO'] },
    inputAudioTranscription: {},
    outputAudioTranscription: {},
  },
};

/** Starts an emulator per test and cleans up its clients. */
export class EmulatorHarness {
  emulator!: GeminiLiveEmulator;
  private readonly clients: LiveClient[] = [];

  async start(options: GeminiLiveEmulatorOptions): Promise<void> {
    this.emulator = await GeminiLiveEmulator.start(options);
  }

  async stop(): Promise<void> {
    for (const client of this.clients.splice(0)) client.ws.terminate();
    await this.emulator.close();
  }

  async connect(
    path = `${GEMINI_LIVE_PATH}?key=secret`,
    headers: Record<string, string> = {},
  ): Promise<LiveClient> {
    const client = await LiveClient.open(this.emulator.url + path, headers);
    this.clients.push(client);
    return client;
  }

  /** A client whose setup was answered. */
  async ready(setup: object = SETUP): Promise<LiveClient> {
    const client = await this.connect();
    client.send(setup);
    await client.next((m) => 'setupComplete' in m);
    return client;
  }
}
