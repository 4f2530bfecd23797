import { randomHex } from '../shared/waiters.util';
import type {
  CallbackRecord,
  CalleeScript,
  DialHandler,
  DialOutcome,
  DialRequest,
  FakeAnsweredBy,
  FakeCallStatus,
  TwilioApiError,
} from './fake-twilio-api.types';
import { FakeCallWebhooks, field, RestParams } from './fake-call.webhooks';
import { TwilioCallbackSender } from './twilio-callback.sender';
import { TwilioCallSimulator } from './twilio-call.simulator';
import { TwimlStream, XmlElement } from './twiml.parser';
import { dialTargets, TwimlRunHost, TwimlRunner } from './twiml.runner';

/** What one call needs from the fake API that holds it. */
export interface FakeCallContext {
  accountSid: string;
  authToken: string;
  /** Where the service really listens (public callback and stream URLs are mapped onto it). */
  serviceUrl(): string | undefined;
  dial: DialHandler;
  sayMsPerChar: number;
  /** ms since the fake started. */
  elapsedMs(): number;
  /** A failure inside the fake: recorded, never thrown into a test. */
  fault(what: string, err: unknown): void;
  /** Signed requests to the service. */
  callbacks: TwilioCallbackSender;
}

/** Twilio refuses inline `Twiml` longer than this (error 32018). */
const TWIML_MAX_CHARS = 4000;

const FINAL: ReadonlySet<FakeCallStatus> = new Set<FakeCallStatus>([
  'completed',
  'busy',
  'no-answer',
  'failed',
  'canceled',
]);

/** One TwiML run, stoppable from outside (a REST update, a hang-up). */
class Run {
  stopped = false;
  private wake!: () => void;
  readonly halted = new Promise<void>((resolve) => (this.wake = resolve));
  stop(): void {
    this.stopped = true;
    this.wake();
  }
}

/**
 * One call as Twilio plays it for the fake REST API: created (`queued`), `initiated`, `ringing`, then
 * answered by the scripted callee (or `busy` / `no-answer` / `failed`), answering-machine detection
 * reported to `AsyncAmdStatusCallback` at the scripted time (or, without AsyncAmd, before the TwiML
 * starts), the TwiML run (streams through TwilioCallSimulator: signed handshake, 20 ms frames, marks,
 * clear), status callbacks for the requested `StatusCallbackEvent`s, all signed with the auth token.
 * REST updates end it (`Status=completed`: Twilio sends `stop` and closes the stream) or redirect it
 * (new `Twiml`/`Url`: the stream gets `stop` and closes, the new TwiML runs).
 */
export class FakeTwilioCall {
  readonly sid = `CA${randomHex(32)}`;
  readonly to: string;
  readonly from: string;
  status: FakeCallStatus = 'queued';
  /** Streams opened (one per `<Connect><Stream>` run), newest last. */
  readonly streams: TwilioCallSimulator[] = [];
  /** Verbs run, in order (`Say: <text>` for `<Say>`). */
  readonly verbs: string[] = [];
  readonly dials: DialRequest[] = [];
  /** The verdict reported to the service, once it has been. */
  answeredBy?: FakeAnsweredBy;
  /** Resolves with the final status once the call is over. */
  readonly ended: Promise<FakeCallStatus>;
  private answeredAt?: number;
  private run?: Run;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly webhooks: FakeCallWebhooks;
  private resolveEnded!: (status: FakeCallStatus) => void;

  constructor(
    private readonly ctx: FakeCallContext,
    /** The create's form fields. */
    readonly params: RestParams,
    readonly script: CalleeScript,
  ) {
    this.to = field(params, 'To') ?? '';
    this.from = field(params, 'From') ?? '';
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.webhooks = new FakeCallWebhooks(
      this,
      params,
      ctx.callbacks,
      (what, p) => this.track(what, p),
    );
  }

  /** The account the call belongs to. */
  get accountSid(): string {
    return this.ctx.accountSid;
  }

  /** Signed requests made to the service for this call, in order. */
  get callbacks(): readonly CallbackRecord[] {
    return this.webhooks.records;
  }

  /** The stream open now (or last), if any. */
  get stream(): TwilioCallSimulator | undefined {
    return this.streams[this.streams.length - 1];
  }

  get over(): boolean {
    return FINAL.has(this.status);
  }

  /** Starts playing the call: it rings, then the callee answers (or not). */
  start(): void {
    // The create answers `queued`; Twilio starts dialling right after.
    this.after(0, () => {
      if (this.over) return;
      this.status = 'initiated';
      this.statusCallback('initiated');
    });
    const ringMs = this.script.ringMs ?? 50;
    this.after(Math.min(10, ringMs / 2), () => {
      if (this.over) return;
      this.status = 'ringing';
      this.statusCallback('ringing');
    });
    this.after(ringMs, () => {
      const outcome = this.script.outcome ?? 'answer';
      if (outcome === 'answer') this.answer();
      else this.finish(outcome);
    });
  }

  /**
   * A REST update (`POST …/Calls/{CallSid}.json`): `Status=completed`/`canceled` hangs up, `Twiml` or
   * `Url` redirects. Returns the Twilio error to answer, or undefined for 200.
   */
  update(params: RestParams): TwilioApiError | undefined {
    const status = field(params, 'Status');
    const twiml = field(params, 'Twiml');
    const url = field(params, 'Url');
    if (this.over) {
      return {
        status: 404,
        code: 20404,
        message: `The requested resource /2010-04-01/Accounts/${this.ctx.accountSid}/Calls/${this.sid}.json was not found`,
      };
    }
    if (status === 'completed' || status === 'canceled') {
      if (this.status === 'in-progress') this.hangUp();
      else this.finish('canceled');
      return undefined;
    }
    if (twiml === undefined && url === undefined) {
      return { status: 400, code: 20001, message: 'Give Status, Twiml or Url' };
    }
    if (twiml !== undefined && twiml.length > TWIML_MAX_CHARS)
      return {
        status: 400,
        code: 32018,
        message: `Twiml size exceeded maximum allowed value of ${TWIML_MAX_CHARS} characters`,
      };
    if (this.status !== 'in-progress')
      return {
        status: 400,
        code: 21220,
        message: 'Call is not in-progress. Cannot redirect.',
      };
    this.run?.stop();
    this.track('redirect', this.redirect(twiml, url, field(params, 'Method')));
    return undefined;
  }

  /** The callee (or a `Status=completed` update) hangs up: `stop`, the stream closes, `completed`. */
  hangUp(): void {
    if (this.over) return;
    this.run?.stop();
    this.finish('completed');
  }

  /** Stops everything without callbacks (the fake is closing). */
  dispose(): void {
    this.run?.stop();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const stream of this.streams) this.track('close', stream.hangUp());
  }

  private answer(): void {
    if (this.over) return;
    this.status = 'in-progress';
    this.answeredAt = this.ctx.elapsedMs();
    this.statusCallback('answered');
    const detection = field(this.params, 'MachineDetection');
    const asynchronous = field(this.params, 'AsyncAmd') === 'true';
    const amdMs = this.script.amdAfterMs ?? 200;
    if (this.script.hangUpAfterMs !== undefined)
      this.after(this.script.hangUpAfterMs, () => this.hangUp());
    if (detection && asynchronous) this.after(amdMs, () => this.reportAmd());
    const begin = () => this.track('twiml', this.runFirst());
    if (detection && !asynchronous) this.after(amdMs, begin);
    else begin();
  }

  private reportAmd(): void {
    this.answeredBy = this.script.answeredBy ?? 'human';
    if (!this.over)
      this.webhooks.amd(this.answeredBy, this.script.amdAfterMs ?? 200);
  }

  private async runFirst(): Promise<void> {
    const inline = field(this.params, 'Twiml');
    const sync = field(this.params, 'MachineDetection') !== undefined;
    const extra = sync && field(this.params, 'AsyncAmd') !== 'true';
    if (extra) this.answeredBy = this.script.answeredBy ?? 'human';
    const twiml =
      inline ??
      (await this.webhooks.fetchTwiml(
        field(this.params, 'Url') ?? '',
        field(this.params, 'Method') ?? 'POST',
        extra && this.answeredBy ? { AnsweredBy: this.answeredBy } : {},
        'twiml',
      ));
    await this.runTwiml(twiml);
  }

  private async redirect(
    twiml: string | undefined,
    url: string | undefined,
    method = 'POST',
  ): Promise<void> {
    await this.stream?.hangUp();
    const next =
      twiml ?? (await this.webhooks.fetchTwiml(url ?? '', method, {}, 'twiml'));
    await this.runTwiml(next);
  }

  private async runTwiml(twiml: string): Promise<void> {
    if (this.over) return;
    const run = new Run();
    this.run = run;
    const outcome = await new TwimlRunner(
      this.host(run),
      this.ctx.sayMsPerChar,
    ).run(twiml);
    if (outcome === 'stopped' || this.run !== run) return;
    this.finish('completed');
  }

  private host(run: Run): TwimlRunHost {
    return {
      get stopped() {
        return run.stopped;
      },
      connectStream: (stream) => this.connectStream(stream, run),
      fetchTwiml: (url, method, params, kind) =>
        this.webhooks.fetchTwiml(url, method, params, kind),
      dial: (element) => this.dial(element),
      ran: (verb) =>
        this.verbs.push(
          verb.name === 'Say' ? `Say: ${verb.text.trim()}` : verb.name,
        ),
      wait: (ms) =>
        Promise.race([
          new Promise<void>((resolve) => this.after(ms, resolve)),
          run.halted,
        ]),
    };
  }

  private async connectStream(stream: TwimlStream, run: Run): Promise<void> {
    const serviceUrl =
      this.ctx.serviceUrl() ??
      new URL(stream.url).origin.replace(/^ws/, 'http');
    const sim = new TwilioCallSimulator({
      serviceUrl,
      publicUrl: serviceUrl,
      authToken: this.ctx.authToken,
      callSid: this.sid,
      accountSid: this.ctx.accountSid,
      from: this.from,
      to: this.to,
    });
    this.streams.push(sim);
    const opened = await sim.connectStream(stream);
    if (!opened.stream) {
      this.ctx.fault('stream', new Error(opened.streamError ?? 'not opened'));
      return;
    }
    if (this.streams.length === 1 && this.script.speech)
      this.track('speech', sim.sendAudio(this.script.speech));
    await Promise.race([sim.closed, run.halted]);
    // Stopped by a REST update or a hang-up: Twilio sends `stop` and closes the socket.
    await sim.hangUp();
  }

  private async dial(element: XmlElement): Promise<DialOutcome> {
    const request: DialRequest = {
      callSid: this.sid,
      targets: dialTargets(element),
      attributes: element.attributes,
      element,
      fetchTwiml: (url, params = {}) =>
        this.webhooks.fetchTwiml(url, 'POST', params, 'twiml'),
    };
    this.dials.push(request);
    return this.ctx.dial(request);
  }

  /** Ends the call once: timers cleared, stream stopped, the `completed` event posted. */
  private finish(status: FakeCallStatus): void {
    if (this.over) return;
    this.status = status;
    this.run?.stop();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const stream = this.stream;
    if (stream) this.track('stop', stream.hangUp());
    this.statusCallback('completed');
    this.resolveEnded(status);
  }

  /** Posts the status callback for `event` (if asked for), with the seconds since the answer. */
  private statusCallback(event: string): void {
    const since = this.answeredAt;
    const elapsed = since === undefined ? 0 : this.ctx.elapsedMs() - since;
    this.webhooks.status(event, Math.round(elapsed / 1000));
  }

  private after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private track(what: string, promise: Promise<unknown>): void {
    promise.then(undefined, (err: unknown) => this.ctx.fault(what, err));
  }
}
