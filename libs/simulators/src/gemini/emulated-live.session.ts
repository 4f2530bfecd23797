import type { RawData, WebSocket } from 'ws';
import { waitForItem } from '../shared/waiters.util';
import { parseClientMessage } from './client-message.parser';
import { GeminiAgentEngine, ReplyRecord } from './gemini-agent.engine';
import {
  ClientMessage,
  CloseInfo,
  FunctionResponse,
  ReplySpec,
  ResolvedEmulatorOptions,
  SessionCredential,
  SessionRequest,
  SetupMessage,
} from './gemini-live.types';
import { checkSetup } from './setup.validator';

export type { SessionRequest } from './gemini-live.types';

/** The session state a resumption handle stands for. */
export interface ResumptionRecord {
  /** The connection that issued it. */
  session: EmulatedLiveSession;
  /** Its `lastConsumedClientMessageIndex`: client messages of that connection the state includes. */
  index: number;
  /** Replies the model had given by then (carried into the resumed session). */
  turnCount: number;
}

/** Emulator-wide services a session uses. */
export interface SessionHost {
  readonly options: ResolvedEmulatorOptions;
  issueHandle(record: ResumptionRecord): string;
  findHandle(handle: string): ResumptionRecord | undefined;
  /** A scripted refusal for the next connection's setup, if any is left. */
  takeRefusal(): CloseInfo | undefined;
}

function frameText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

function parseDurationMs(timeLeft: string): number {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(timeLeft);
  return match ? Number(match[1]) * 1000 : 0;
}

/** Close reasons are limited to 123 bytes on the wire. */
function clip(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  return bytes.length <= 123
    ? reason
    : bytes.subarray(0, 120).toString('utf8') + '...';
}

/**
 * One emulated BidiGenerateContent connection: enforces setup-first, records everything the client
 * sent, hands turns to the agent engine, and exposes hooks for tests to inject server messages, send
 * goAway, close or kill the connection.
 *
 * Continuity, as the real server behaves (PROTOCOLS.md "Gemini Live"): after `goAway` the connection
 * keeps streaming its current reply (and taking input) until `timeLeft` is up, then closes 1011. Client
 * messages after setup are numbered 1, 2, … (setup is 0); each `sessionResumptionUpdate` says which
 * one the handle's state ends with (`lastConsumedClientMessageIndex`, an int64 sent as a string), and
 * handles are issued only while the model is idle. A resumed session starts from exactly that state
 * (`history()`). A tool call belongs to this connection: answers to calls it did not issue are ignored.
 */
export class EmulatedLiveSession {
  /** Every parsed client message, camelCased, in arrival order. */
  readonly received: ClientMessage[] = [];
  /** Every server message sent, in order. */
  readonly sent: object[] = [];
  /** Protocol problems that did not close the socket (expect it to stay empty). */
  readonly violations: string[] = [];
  /** Resumption handles issued to this session. */
  readonly handles: string[] = [];
  readonly closed: Promise<CloseInfo>;
  setup?: SetupMessage;
  /** The handle this session resumed, when its setup carried a known one. */
  resumedFrom?: string;
  /** What that handle stood for. */
  resumedAt?: ResumptionRecord;
  closeInfo?: CloseInfo;
  private agent?: GeminiAgentEngine;
  private setupCompleteSent = false;
  private closing = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly listeners = new Set<(message: ClientMessage) => void>();

  constructor(
    readonly id: number,
    private readonly ws: WebSocket,
    readonly request: SessionRequest,
    private readonly host: SessionHost,
  ) {
    this.closed = new Promise<CloseInfo>((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        this.closing = true;
        for (const timer of this.timers) clearTimeout(timer);
        this.agent?.dispose();
        resolve(this.closeInfo);
      });
    });
    ws.on('message', (data) => this.onFrame(frameText(data)));
    ws.on('error', () => undefined);
  }

  get credential(): SessionCredential {
    return this.request.credential;
  }

  /** Decoded caller audio so far, 16 kHz. */
  callerAudio(): Int16Array {
    return this.agent?.callerAudio() ?? new Int16Array(0);
  }

  /** Function responses received for calls this connection issued, in order. */
  get toolResponses(): readonly FunctionResponse[] {
    return this.agent?.toolResponses ?? [];
  }

  /** Function responses for calls this connection never issued (ignored). */
  get strayToolResponses(): readonly FunctionResponse[] {
    return this.agent?.strayToolResponses ?? [];
  }

  /** Client messages received after setup (the index of the last one; setup is 0). */
  get messageIndex(): number {
    return this.setup ? this.received.length - 1 : 0;
  }

  /**
   * The client messages the model's state holds, oldest first: the resumed handle's state (the
   * issuing connection's history through its index), then everything this connection received after
   * setup. A message the client sent again on a resumed connection appears here once.
   */
  history(): ClientMessage[] {
    return [...this.inherited(), ...this.received.slice(1)];
  }

  /** The model speaks now, unprompted (a scripted reply; `spec` overrides the emulator's reply). */
  speak(spec?: ReplySpec): ReplyRecord | undefined {
    return this.agent?.speak(spec);
  }

  /** Replies the agent started, with their outcome. */
  get replies(): readonly ReplyRecord[] {
    return this.agent?.replies ?? [];
  }

  get isOpen(): boolean {
    return this.ws.readyState === this.ws.OPEN && !this.closing;
  }

  /** Calls `listener` with every parsed client message as it arrives; returns the unsubscribe. */
  onMessage(listener: (message: ClientMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends any server message as a binary frame of UTF-8 JSON (as Google does); false if not open. */
  send(message: object): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    this.track(message);
    this.sent.push(message);
    this.ws.send(Buffer.from(JSON.stringify(message), 'utf8'), {
      binary: true,
    });
    return true;
  }

  /**
   * Sends a frame exactly as given (a string as a text frame, a Buffer as a binary frame), for tests
   * that feed the client frames Gemini never sends: not JSON, or JSON of the wrong shape. Not
   * recorded in `sent` and not tracked as a tool call. False if not open.
   */
  sendRaw(data: string | Buffer): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    this.ws.send(data, { binary: Buffer.isBuffer(data) });
    return true;
  }

  /** Sends goAway; unless `closeAfter` is false, closes 1011 once timeLeft has passed. */
  goAway(timeLeft = '5s', closeAfter = true): void {
    this.send({ goAway: { timeLeft } });
    if (closeAfter) {
      this.later(parseDurationMs(timeLeft), () =>
        this.close(1011, 'Deadline expired before operation could complete.'),
      );
    }
  }

  /** Closes with a close frame. */
  close(code = 1000, reason = ''): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.closing = true;
    this.agent?.dispose();
    this.ws.close(code, clip(reason));
  }

  /** Drops the TCP connection without a close frame (the client sees 1006). */
  kill(): void {
    this.closing = true;
    this.ws.terminate();
  }

  /** First received message (already here or still to come) matching the predicate. */
  waitFor(
    predicate: (message: ClientMessage) => boolean,
    timeoutMs = 2000,
  ): Promise<ClientMessage> {
    return waitForItem(
      this.received,
      (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
      predicate,
      timeoutMs,
      `a client message on session ${this.id}`,
      this.closed,
    );
  }

  /** Rejects the connection after the upgrade, as Google does for bad credentials. */
  reject(code: number, reason: string): void {
    this.close(code, reason);
  }

  private onFrame(text: string): void {
    if (this.closing) return;
    const parsed = parseClientMessage(text);
    if (!parsed.ok) return this.close(1007, parsed.reason);
    this.received.push(parsed.message);
    this.violations.push(...parsed.violations);
    for (const listener of [...this.listeners]) listener(parsed.message);
    if (!this.setup) {
      if (!parsed.message.setup) {
        return this.close(1007, 'The first message must be a setup message.');
      }
      return this.onSetup(parsed.message.setup);
    }
    if (parsed.message.setup)
      return this.close(1007, 'Setup may only be sent once.');
    if (!this.setupCompleteSent)
      this.violations.push('message sent before setupComplete');
    const closeReason = this.agent?.handle(parsed.message);
    if (closeReason) this.close(1007, closeReason);
  }

  private onSetup(setup: SetupMessage): void {
    const { options } = this.host;
    const problem = checkSetup(setup, options.knownModels, this.request.api);
    if (problem) return this.close(problem.code, problem.reason);
    const handle = setup.sessionResumption?.handle;
    const previous = handle ? this.host.findHandle(handle) : undefined;
    if (handle && !previous)
      return this.close(
        1007,
        'Session resumption handle is invalid or expired.',
      );
    const refusal = this.host.takeRefusal();
    if (refusal) return this.close(refusal.code, refusal.reason);
    if (previous?.session.isOpen && options.refuseResumeWhileIssuerOpen)
      return this.close(
        1011,
        'Session resumption refused: the session is still active on another connection.',
      );
    this.setup = setup;
    this.resumedFrom = previous ? handle : undefined;
    this.resumedAt = previous;
    this.agent = new GeminiAgentEngine(
      options,
      setup,
      {
        send: (message) => this.send(message),
        onIdle: () => this.resumptionUpdate(),
        violation: (text) => this.violations.push(text),
      },
      previous?.turnCount ?? 0,
    );
    this.later(options.setupDelayMs, () => {
      this.setupCompleteSent = this.send({ setupComplete: {} });
      this.resumptionUpdate();
      const goAwayAfter = options.goAwayAfterMs;
      if (goAwayAfter !== undefined)
        this.later(goAwayAfter, () => this.goAway(options.goAwayTimeLeft));
      const every = options.resumptionUpdateEveryMs;
      if (every !== undefined) this.every(every, () => this.resumptionUpdate());
    });
  }

  /** A resumable handle for the state as of now; only while the model is idle, as the server does. */
  private resumptionUpdate(): void {
    const agent = this.agent;
    if (!this.setup?.sessionResumption || !this.isOpen || !agent?.idle) return;
    const index = this.messageIndex;
    const newHandle = this.host.issueHandle({
      session: this,
      index,
      turnCount: agent.turnCount,
    });
    this.handles.push(newHandle);
    this.send({
      sessionResumptionUpdate: {
        newHandle,
        resumable: true,
        lastConsumedClientMessageIndex: String(index),
      },
    });
  }

  private inherited(): ClientMessage[] {
    const from = this.resumedAt;
    if (!from) return [];
    const own = from.session.received.slice(1, from.index + 1);
    return [...from.session.inherited(), ...own];
  }

  /** Tracks tool calls a test injected, so responses can be matched to them. */
  private track(message: object): void {
    const m = message as {
      toolCall?: { functionCalls?: { id?: string }[] };
      toolCallCancellation?: { ids?: string[] };
    };
    for (const call of m.toolCall?.functionCalls ?? []) {
      if (call.id) this.agent?.pendingToolCalls.add(call.id);
    }
    for (const id of m.toolCallCancellation?.ids ?? [])
      this.agent?.pendingToolCalls.delete(id);
  }

  private every(ms: number, fn: () => void): void {
    this.later(ms, () => {
      fn();
      this.every(ms, fn);
    });
  }

  private later(ms: number, fn: () => void): void {
    if (ms <= 0 && !this.closing) return fn();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closing) fn();
    }, ms);
    this.timers.add(timer);
  }
}
