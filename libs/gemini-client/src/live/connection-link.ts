import { SETUP_MESSAGE_INDEX } from './client-message-log';
import type {
  LiveConnection,
  LiveSessionClosed,
  LiveSessionEvents,
} from './live-session.types';

/** A resumption handle and what the session state behind it includes. */
export interface ResumePoint {
  handle: string;
  /** Replay seq of the last client message that state includes (0: none of ours). */
  consumedSeq: number;
  /** The connection that issued it. */
  issuer: ConnectionLink;
  /** The issuer's model epoch when it arrived, and whether the model was idle then. */
  epoch: number;
  idle: boolean;
}

/**
 * What one connection's model is doing, for choosing when to leave it (PROTOCOLS.md, field reports:
 * a switch right after `goAway` cuts the reply the old connection keeps streaming; a tool call
 * belongs to the connection that issued it). A model turn is open from its first audio or output
 * transcript until `turnComplete`, `generationComplete` (all audio is generated and sent; the server
 * only waits for playback before `turnComplete`) or `interrupted`. The epoch counts model activity,
 * so a handle can be told to predate the latest turn or tool call.
 */
export class ConnectionActivity {
  turnOpen = false;
  /** 3.8 extended thinking: `interactionStatus` IN_PROGRESS until IDLE (more output may follow). */
  thinking = false;
  /** Tool call ids this connection issued that are not yet answered or cancelled. */
  readonly openToolCalls = new Set<string>();
  epoch = 0;
  /** The newest handle this connection gave (at first: the one it resumed from). */
  point?: ResumePoint;
  /** Epoch ms at which the server will close this connection (after `goAway`). */
  deadline?: number;

  constructor(private readonly owner: ConnectionLink) {}

  /** Model output arrived; true when it opened a turn. */
  modelOutput(): boolean {
    if (this.turnOpen) return false;
    this.turnOpen = true;
    this.epoch++;
    return true;
  }

  turnEnded(): void {
    this.turnOpen = false;
  }

  toolCalls(ids: readonly string[]): void {
    this.epoch++;
    for (const id of ids) this.openToolCalls.add(id);
  }

  settled(ids: readonly string[]): void {
    for (const id of ids) this.openToolCalls.delete(id);
  }

  get busy(): boolean {
    return this.turnOpen || this.thinking || this.openToolCalls.size > 0;
  }

  /** Records a handle this connection issued. */
  resumption(
    handle: string,
    consumedSeq: number,
    issuer: ConnectionLink,
  ): ResumePoint {
    this.point = {
      handle,
      consumedSeq,
      issuer,
      epoch: this.epoch,
      idle: !this.busy,
    };
    return this.point;
  }

  /**
   * A safe point to leave this connection: no turn streaming, no tool call open, and the handle to
   * resume from was issued after the model's latest activity (or there is none at all), so the next
   * connection neither repeats nor loses what this one said.
   */
  get safe(): boolean {
    if (this.busy) return false;
    const point = this.point;
    if (!point) return true;
    // Still the handle it resumed from: safe while this connection's model has said nothing.
    if (point.issuer !== this.owner) return this.epoch === 0;
    return point.idle && point.epoch === this.epoch;
  }
}

/** What a link reports to the session that owns it, once it has updated its activity. */
export interface LinkListener {
  /** An event for the call (passed on only while this link serves). */
  forward<K extends keyof LiveSessionEvents>(
    link: ConnectionLink,
    name: K,
    args: LiveSessionEvents[K],
  ): void;
  /** The model started a turn or a tool call. */
  started(link: ConnectionLink): void;
  /** A turn ended or a tool call closed: perhaps a safe point now. */
  settled(link: ConnectionLink): void;
  toolCalls(link: ConnectionLink, ids: string[]): void;
  toolCallsCancelled(link: ConnectionLink, ids: string[]): void;
  resumption(link: ConnectionLink, handle: string, index?: number): void;
  goAway(link: ConnectionLink, timeLeft: string | undefined): void;
  ready(link: ConnectionLink): void;
  closed(link: ConnectionLink, info: LiveSessionClosed): void;
}

let linkIds = 0;

/** One upstream connection of a ResilientLiveSession, with what it resumed from and its activity. */
export class ConnectionLink {
  readonly id = ++linkIds;
  readonly activity: ConnectionActivity;
  /** Opened after the issuer of its handle had closed. */
  issuerClosedFirst = false;

  /** Replay seq the state this connection started from includes (0: a new session). */
  readonly baseSeq: number;
  readonly resumed: boolean;

  /**
   * `resumedFrom`: the handle it was opened with (its state includes our messages up to
   * `resumedFrom.consumedSeq`; everything after is replayed to it once it is ready). Dropped once
   * it serves (`serving()`), so links do not chain back to the call's first connection.
   */
  constructor(
    readonly conn: LiveConnection,
    public resumedFrom: ResumePoint | undefined,
  ) {
    this.activity = new ConnectionActivity(this);
    this.activity.point = resumedFrom;
    this.baseSeq = resumedFrom?.consumedSeq ?? 0;
    this.resumed = resumedFrom !== undefined;
  }

  /** It serves now: the handle it was opened from is no longer needed here. */
  serving(): void {
    this.resumedFrom = undefined;
  }

  /**
   * Subscribes to the connection: keeps `activity` current and reports to `to`, every listener
   * running through `guard` (the session's fault boundary).
   */
  listen(to: LinkListener, guard: (fn: () => void) => void): void {
    const { conn, activity } = this;
    const on = <K extends keyof LiveSessionEvents>(
      name: K,
      fn: (...args: LiveSessionEvents[K]) => void,
    ): void => {
      const guarded = (...args: LiveSessionEvents[K]): void =>
        guard(() => fn(...args));
      conn.on(name, guarded as Parameters<LiveConnection['on']>[1]);
    };
    const output = (started: boolean): void => {
      if (started) to.started(this);
    };
    on('audio', (...args) => {
      output(activity.modelOutput());
      to.forward(this, 'audio', args);
    });
    on('outputTranscript', (...args) => {
      output(activity.modelOutput());
      to.forward(this, 'outputTranscript', args);
    });
    on('inputTranscript', (...args) =>
      to.forward(this, 'inputTranscript', args),
    );
    for (const name of [
      'interrupted',
      'generationComplete',
      'turnComplete',
    ] as const) {
      on(name, () => {
        activity.turnEnded();
        to.forward(this, name, []);
        to.settled(this);
      });
    }
    on('toolCall', (calls) => {
      const ids = calls.map((call) => call.id);
      activity.toolCalls(ids);
      to.toolCalls(this, ids);
      to.started(this);
      to.forward(this, 'toolCall', [calls]);
    });
    on('toolCallCancellation', (ids) => {
      activity.settled(ids);
      to.toolCallsCancelled(this, ids);
      to.forward(this, 'toolCallCancellation', [ids]);
      to.settled(this);
    });
    on('voiceActivity', (kind) => to.forward(this, 'voiceActivity', [kind]));
    on('usage', (usage) => to.forward(this, 'usage', [usage]));
    // Thinking in the background is work in progress: no safe point to leave the connection.
    on('interactionStatus', (status) => {
      activity.thinking = status === 'IN_PROGRESS';
      to.forward(this, 'interactionStatus', [status]);
      if (!activity.thinking) to.settled(this);
    });
    on('resumption', (handle, index) => to.resumption(this, handle, index));
    on('goAway', (timeLeft) => to.goAway(this, timeLeft));
    on('ready', () => to.ready(this));
    on('closed', (info) => to.closed(this, info));
  }

  get open(): boolean {
    return this.conn.state !== 'closed';
  }

  /**
   * The replay seq a `lastConsumedClientMessageIndex` from this connection stands for. Index 0 (setup;
   * also the proto3 default) means nothing after setup, i.e. the state it resumed from. Without an
   * index (a server that does not send it), the handle is assumed to cover everything written before
   * it arrived: messages still in flight then may be lost on a resume, as before the field existed.
   */
  consumedSeq(index: number | undefined): number {
    const written = Math.max(this.conn.lastWrittenSeq ?? 0, this.baseSeq);
    if (index === undefined) return written;
    if (index <= SETUP_MESSAGE_INDEX) return this.baseSeq;
    return this.conn.seqAtIndex(index) ?? written;
  }
}
