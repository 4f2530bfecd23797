import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { randomHex, waitForItem } from '../shared/waiters.util';
import { DEFAULT_REPLY } from './agent-reply.factory';
import {
  EmulatedLiveSession,
  type ResumptionRecord,
  type SessionHost,
} from './emulated-live.session';
import {
  CloseInfo,
  GeminiLiveEmulatorOptions,
  ResolvedEmulatorOptions,
  SessionCredential,
  SessionRequest,
} from './gemini-live.types';

/** Gemini API path (v1beta is what the SDKs use; v1alpha for preview features). */
export const GEMINI_LIVE_PATH =
  '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';
/** Vertex AI path. */
export const VERTEX_LIVE_PATH =
  '/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent';

const GEMINI_PATH =
  /^\/ws\/google\.ai\.generativelanguage\.v1(alpha|beta)\.GenerativeService\.BidiGenerateContent$/;
const VERTEX_PATH =
  /^\/ws\/google\.cloud\.aiplatform\.v1(beta1)?\.LlmBidiService\/BidiGenerateContent$/;

function resolveOptions(
  options: GeminiLiveEmulatorOptions,
): ResolvedEmulatorOptions {
  return {
    port: 0,
    host: '127.0.0.1',
    knownModels: ['gemini-3.8-live', 'gemini-3.8-live-extended-thinking'],
    reply: DEFAULT_REPLY,
    transcribe: (audio) => `caller spoke ${Math.round(audio.length / 16)} ms`,
    speechThreshold: 500,
    silenceMs: 300,
    minSpeechMs: 100,
    bargeInMs: 40,
    chunkIntervalMs: 20,
    setupDelayMs: 0,
    replyToToolResponses: true,
    goAwayTimeLeft: '5s',
    ...options,
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A local stand-in for the Gemini Live BidiGenerateContent WebSocket API (Gemini API and Vertex AI
 * paths), with a deterministic voice agent. Every connection becomes a `EmulatedLiveSession` in
 * `sessions`, newest last, including ones rejected for bad credentials.
 */
export class GeminiLiveEmulator implements SessionHost {
  readonly sessions: EmulatedLiveSession[] = [];
  readonly options: ResolvedEmulatorOptions;
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
  });
  private readonly server: Server;
  private readonly handles = new Map<string, ResumptionRecord>();
  private readonly refusals: CloseInfo[] = [];
  private readonly listeners = new Set<
    (session: EmulatedLiveSession) => void
  >();

  private constructor(options: GeminiLiveEmulatorOptions) {
    this.options = resolveOptions(options);
    this.server = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    });
    this.server.on('upgrade', (req, socket, head) =>
      this.upgrade(req, socket, head),
    );
  }

  /** Starts listening (port 0 = random free port). */
  static async start(
    options: GeminiLiveEmulatorOptions = {},
  ): Promise<GeminiLiveEmulator> {
    const emulator = new GeminiLiveEmulator(options);
    await new Promise<void>((resolve, reject) => {
      emulator.server.once('error', reject);
      emulator.server.listen(emulator.options.port, emulator.options.host, () =>
        resolve(),
      );
    });
    return emulator;
  }

  /** Base URL, e.g. `ws://127.0.0.1:41234`. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `ws://${this.options.host}:${port}`;
  }

  /** Full Gemini API endpoint including `?key=` when an apiKey is configured. */
  get geminiUrl(): string {
    const key = this.options.apiKey
      ? `?key=${encodeURIComponent(this.options.apiKey)}`
      : '';
    return `${this.url}${GEMINI_LIVE_PATH}${key}`;
  }

  /** Calls `listener` for every new session; returns an unsubscribe function. */
  onSession(listener: (session: EmulatedLiveSession) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** First session (existing or future) matching the predicate (default: any). */
  waitForSession(
    timeoutMs = 2000,
    predicate: (session: EmulatedLiveSession) => boolean = () => true,
  ): Promise<EmulatedLiveSession> {
    return waitForItem(
      this.sessions,
      (l) => this.onSession(l),
      predicate,
      timeoutMs,
      'a session',
    );
  }

  issueHandle(record: ResumptionRecord): string {
    const handle = `resume-${randomHex(24)}`;
    this.handles.set(handle, record);
    return handle;
  }

  findHandle(handle: string): ResumptionRecord | undefined {
    return this.handles.get(handle);
  }

  /**
   * Scripts failures of new connections: the next `count` setups (with valid credentials and model)
   * are answered with a close `code` before setupComplete, as an overloaded or failing server does.
   * Replaces any refusals still pending (`0` clears them).
   */
  refuseNextSetups(
    count: number,
    code = 1011,
    reason = 'The service is currently unavailable.',
  ): void {
    this.refusals.length = 0;
    for (let i = 0; i < count; i++) this.refusals.push({ code, reason });
  }

  /** Scripted refusals not yet used. */
  get pendingRefusals(): number {
    return this.refusals.length;
  }

  takeRefusal(): CloseInfo | undefined {
    return this.refusals.shift();
  }

  /** Drops every connection and stops listening. */
  async close(): Promise<void> {
    for (const session of this.sessions) session.kill();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const [rawPath, query = ''] = (req.url ?? '/').split('?', 2);
    // The @google/genai SDK sometimes joins base URL and path into `//ws/...`.
    const path = rawPath.startsWith('//') ? rawPath.slice(1) : rawPath;
    const api = GEMINI_PATH.test(path)
      ? 'gemini'
      : VERTEX_PATH.test(path)
        ? 'vertex'
        : undefined;
    if (!api) {
      socket.end(
        'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nNot Found',
      );
      return;
    }
    const { credential, accepted } = this.authenticate(
      req,
      new URLSearchParams(query),
      api,
    );
    const request: SessionRequest = {
      api,
      path: req.url ?? path,
      headers: req.headers,
      credential,
    };
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new EmulatedLiveSession(
        this.sessions.length + 1,
        ws,
        request,
        this,
      );
      this.sessions.push(session);
      if (!accepted) {
        session.reject(
          1007,
          credential.type === 'none'
            ? 'Missing API key. Please pass a valid API key.'
            : api === 'vertex'
              ? 'Request had invalid authentication credentials.'
              : 'API key not valid. Please pass a valid API key.',
        );
      }
      for (const listener of [...this.listeners]) listener(session);
    });
  }

  private authenticate(
    req: IncomingMessage,
    query: URLSearchParams,
    api: 'gemini' | 'vertex',
  ): { credential: SessionCredential; accepted: boolean } {
    const { apiKey, accessToken } = this.options;
    const bearer = /^Bearer\s+(.+)$/i.exec(
      header(req, 'authorization') ?? '',
    )?.[1];
    const queryKey = query.get('key') ?? undefined;
    const key = queryKey ?? header(req, 'x-goog-api-key');
    const bearerOk = bearer !== undefined && bearer === accessToken;
    const keyOk = key !== undefined && key === apiKey;
    const open = apiKey === undefined && accessToken === undefined;
    const keyCredential: SessionCredential | undefined =
      key === undefined
        ? undefined
        : { type: 'apiKey', value: key, via: queryKey ? 'query' : 'header' };
    const bearerCredential: SessionCredential | undefined =
      bearer === undefined
        ? undefined
        : { type: 'bearer', value: bearer, via: 'header' };
    const credential = (bearerOk
      ? bearerCredential
      : keyOk
        ? keyCredential
        : undefined) ??
      keyCredential ??
      bearerCredential ?? { type: 'none' };
    // Vertex takes OAuth tokens (or an API key in express mode); the Gemini API takes either.
    const accepted =
      open ||
      bearerOk ||
      (keyOk && (api === 'gemini' || accessToken === undefined));
    return { credential, accepted };
  }
}
