import { ConnectionLink, LinkListener, ResumePoint } from './connection-link';
import { ContinuityPolicy, DEFAULT_CONTINUITY } from './continuity-policy';
import { HeldEventEmitter } from './held-event-emitter';
import { LiveControlMessage, realtimeAudioMessage } from './live-messages';
import type {
  LiveConnection,
  LiveSession,
  LiveSessionClosed,
  LiveSessionState,
} from './live-session.types';
import { ClientRelay } from './client-relay';
import { PhaseMachine } from './session-phase';
import { SwitchPlanner } from './switch-planner';
import type { ToolAnswer } from './tool-call-routes';

export { ContinuityPolicy, DEFAULT_CONTINUITY } from './continuity-policy';

/** Close codes after which resuming with the same handle is pointless (bad request, bad handle). */
const HANDLE_REJECTED = new Set([1007]);

/**
 * One logical Gemini Live session for the life of a call, carried by as many connections as it takes.
 *
 * Switching rule (SwitchPlanner): after `goAway` the old connection keeps serving while its model
 * streams a turn or has a tool call open, and until it issues a handle newer than its latest activity;
 * then the next connection is opened from that handle and, once ready, takes over (the old one is
 * closed). By `timeLeft − switchMarginMs` the switch is forced. A next connection that fails never
 * closes the old one: the switch is retried with backoff while the old one serves. Only when none
 * serves and the backoff schedule is spent does the session emit `closed`.
 *
 * Nothing is lost, repeated or reordered: every client message is numbered and kept (ReplayBuffer)
 * until a handle covers it (`lastConsumedClientMessageIndex`); a resumed connection gets exactly the
 * messages after its handle, in order. Tool answers go to the connection that issued the call.
 *
 * Every listener and timer runs inside this session's fault boundary: a throw ends the session with
 * `closed` (1011), which the call turns into its apology; it never reaches the process.
 */
export class ResilientLiveSession
  extends HeldEventEmitter
  implements LiveSession
{
  readonly ready: Promise<void>;
  /** Connections opened after the first (goAway switches and reconnects). */
  reconnects = 0;
  private readonly phase = new PhaseMachine();
  private current?: ConnectionLink;
  private next?: ConnectionLink;
  /** The connection that served last (the resume point when none serves now). */
  private lastServing?: ConnectionLink;
  private readonly relay: ClientRelay;
  private readonly planner: SwitchPlanner;
  private opened = 0;
  private droppedByClosed = 0;
  private everReady = false;
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;

  constructor(
    private readonly connect: (resumptionHandle?: string) => LiveConnection,
    policy: Partial<ContinuityPolicy> = {},
  ) {
    super();
    const resolved = { ...DEFAULT_CONTINUITY, ...policy };
    this.relay = new ClientRelay(resolved.replay);
    this.planner = new SwitchPlanner(resolved, (ms, fn) => {
      const timer = setTimeout(() => this.guard(fn), Math.max(0, ms));
      timer.unref();
      return timer;
    });
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined); // observed through 'closed'
    this.guard(() => this.openNext(undefined));
  }

  /** Caller frames dropped: replay buffer overflow, and every connection's own drops. */
  get droppedFrames(): number {
    return (
      this.relay.droppedAudio +
      this.droppedByClosed +
      (this.current?.conn.droppedFrames ?? 0) +
      (this.next?.conn.droppedFrames ?? 0)
    );
  }

  /** `closed` only once the session is over for good; while a connection is replaced, `connecting`. */
  get state(): LiveSessionState {
    if (this.phase.value === 'closed') return 'closed';
    if (this.current?.conn.state === 'ready') return 'ready';
    const state = this.next?.conn.state ?? 'connecting';
    return state === 'closed' || state === 'ready' ? 'connecting' : state;
  }

  /** Tool answers not sent because the connection that issued the call was gone. */
  get orphanedToolResponses(): number {
    return this.relay.orphanedToolResponses;
  }

  /** The handle a resume would use now. */
  get resumptionHandle(): string | undefined {
    return this.resumePoint()?.handle;
  }

  sendAudio(base64Pcm: string): void {
    this.submit(realtimeAudioMessage(base64Pcm), true);
  }

  sendText(text: string): void {
    this.submit(JSON.stringify({ realtimeInput: { text } }), false);
  }

  sendControl(message: LiveControlMessage): void {
    this.submit(JSON.stringify(message), false);
  }

  /** Each answer goes to the connection that issued its call; answers for a lost one are dropped. */
  sendToolResponse(functionResponses: ToolAnswer[]): void {
    if (this.phase.value === 'closed') return;
    this.relay.answer(functionResponses, this.current, this.input());
    this.guard(() => this.evaluate());
  }

  close(code = 1000, reason = 'session closed by the service'): void {
    this.finish({ code, reason, beforeReady: !this.everReady });
  }

  private submit(frame: string, audio: boolean): void {
    if (this.phase.value !== 'closed')
      this.relay.submit(frame, audio, this.input());
  }

  /** The connection taking caller input now: none while switching or in backoff (it is held). */
  private input(): ConnectionLink | undefined {
    return this.phase.serving ? this.current : undefined;
  }

  /** How this session handles what its connections report (see ConnectionLink.listen). */
  private readonly events: LinkListener = {
    forward: (link, name, args) => {
      if (link === this.current) this.emit(name, ...args);
    },
    // New model activity on the old connection after a (non-forced) switch began: the switch waits.
    started: (link) => {
      const switching =
        link === this.current && this.phase.value === 'switching';
      if (switching && !this.planner.forced)
        this.abortSwitch('the model spoke again');
    },
    settled: () => this.evaluate(),
    toolCalls: (link, ids) => this.relay.issued(link, ids),
    toolCallsCancelled: (_link, ids) => this.relay.cancelled(ids),
    resumption: (link, handle, index) => this.onResumption(link, handle, index),
    goAway: (link, timeLeft) => this.onGoAway(link, timeLeft),
    ready: (link) => this.onReady(link),
    closed: (link, info) => this.onClosed(link, info),
  };

  private onResumption(
    link: ConnectionLink,
    handle: string,
    index?: number,
  ): void {
    const point = link.activity.resumption(
      handle,
      link.consumedSeq(index),
      link,
    );
    if (link !== this.current) return;
    this.emit('resumption', handle, index);
    this.releaseBuffer();
    const next = this.next;
    const stale =
      next && this.planner.fresherThan(next.resumedFrom, point.issuer.activity);
    if (this.phase.value === 'switching' && stale)
      this.abortSwitch('a fresher resumption handle arrived');
    this.evaluate();
  }

  private onGoAway(link: ConnectionLink, timeLeft: string | undefined): void {
    link.activity.deadline = this.planner.deadline(timeLeft);
    if (link !== this.current) return; // acted on once it serves
    this.emit('goAway', timeLeft);
    this.planner.reason = `goAway (${timeLeft ?? 'no time left given'})`;
    if (this.phase.value === 'serving') this.phase.to('draining');
    this.planner.armForce(link.activity.deadline, () => this.evaluate());
    this.evaluate();
  }

  /** While draining: switch at a safe point, or now when time is nearly spent. */
  private evaluate(): void {
    const current = this.current;
    if (this.phase.value !== 'draining' || !current) return;
    if (!this.planner.shouldSwitch(current.activity)) return;
    const point = current.activity.point;
    this.phase.to('switching');
    if (point?.issuer === current && this.planner.closeIssuerFirst())
      this.retire(current, 'closing before resuming from its handle');
    this.openNext(point);
  }

  private openNext(point: ResumePoint | undefined): void {
    const link = new ConnectionLink(this.connect(point?.handle), point);
    link.issuerClosedFirst = point !== undefined && !point.issuer.open;
    this.next = link;
    link.listen(this.events, (fn) => this.guard(fn));
    if (this.opened++ === 0) return;
    this.reconnects++;
    this.emit('reconnecting', this.planner.reason);
  }

  private onReady(link: ConnectionLink): void {
    if (link !== this.next) return;
    const old = this.current;
    this.next = undefined;
    this.current = this.lastServing = link;
    link.serving();
    const attempt = this.planner.served(link.issuerClosedFirst);
    const replayed = this.relay.sendMissed(link);
    if (old) this.retire(old, 'switched to a resumed session');
    const deadline = link.activity.deadline;
    this.phase.to(deadline ? 'draining' : 'serving');
    this.releaseBuffer();
    const reconnected = this.everReady || attempt > 0;
    this.markReady();
    if (reconnected)
      this.emit('reconnected', {
        resumed: link.resumed,
        attempt,
        reason: this.planner.reason,
        replayed,
        switchMs: Date.now() - this.planner.startedAt,
      });
    if (deadline) this.planner.armForce(deadline, () => this.evaluate());
    this.evaluate();
  }

  private onClosed(link: ConnectionLink, info: LiveSessionClosed): void {
    if (link === this.next) {
      this.next = undefined;
      this.droppedByClosed += link.conn.droppedFrames;
      const point = link.resumedFrom;
      if (point && HANDLE_REJECTED.has(info.code)) this.forget(point);
      this.planner.nextFailed(info, point);
      const old = this.current;
      if (!old) return this.lost(info);
      // The old connection still serves: it takes the input again, and the switch is retried.
      this.phase.to('draining');
      this.relay.sendMissed(old);
      this.planner.retryWhileServing(() => this.evaluate());
    } else if (link === this.current) {
      this.retire(link, 'closed');
      if (this.phase.value !== 'switching' || !this.next) this.lost(info);
    }
  }

  /** No connection serves: reconnect after the next backoff delay, or give up when none is left. */
  private lost(info: LiveSessionClosed): void {
    this.planner.lost(info);
    const scheduled = this.planner.reconnectAfterLoss(() => {
      this.phase.to('switching');
      this.openNext(this.resumePoint());
    });
    if (scheduled) this.phase.to('backoff');
    else
      this.finish({
        ...info,
        reason: `Gemini session could not be recovered: ${info.reason}`,
      });
  }

  /** Stops a switch under way; the old connection serves again and gets what it missed. */
  private abortSwitch(reason: string): void {
    const next = this.next;
    const old = this.current;
    if (!next || !old) return;
    this.next = undefined;
    next.conn.close(1000, `switch postponed: ${reason}`);
    this.phase.to('draining');
    this.relay.sendMissed(old);
  }

  /** Takes a connection out of service: closed, its open tool calls cancelled (they died with it). */
  private retire(link: ConnectionLink, reason: string): void {
    if (this.current === link) this.current = undefined;
    this.droppedByClosed += link.conn.droppedFrames;
    const lost = this.relay.lose(link);
    link.activity.settled(lost);
    if (link.open) link.conn.close(1000, reason);
    if (lost.length) this.emit('toolCallCancellation', lost);
  }

  private resumePoint(): ResumePoint | undefined {
    return (this.current ?? this.lastServing)?.activity.point;
  }

  /** A handle the server refused is never offered again. */
  private forget(point: ResumePoint): void {
    for (const link of [point.issuer, this.current, this.lastServing]) {
      if (link?.activity.point === point) link.activity.point = undefined;
    }
  }

  /** Keeps what the resume point (and a connection being opened from an older one) still needs. */
  private releaseBuffer(): void {
    const point = this.resumePoint();
    if (point)
      this.relay.release(
        Math.min(point.consumedSeq, this.next?.baseSeq ?? Infinity),
      );
  }

  private markReady(): void {
    if (this.everReady) return;
    this.everReady = true;
    this.resolveReady();
    this.emit('ready');
  }

  /** This session's fault boundary: a throw ends the session (1011), never the process. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.finish({
        code: 1011,
        reason: `internal fault in the Gemini session: ${message}`,
        beforeReady: !this.everReady,
      });
    }
  }

  private finish(info: LiveSessionClosed): void {
    if (this.phase.value === 'closed') return;
    this.phase.close();
    this.planner.clear();
    for (const link of [this.current, this.next]) {
      if (link?.open) link.conn.close(1000, 'call ended');
    }
    this.current = this.next = undefined;
    this.relay.clear();
    this.rejectReady(
      new Error(`Gemini session closed (${info.code}) ${info.reason}`),
    );
    this.emit('closed', info);
  }
}
