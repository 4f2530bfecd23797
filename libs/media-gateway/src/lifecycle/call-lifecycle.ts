import { AnsweredBy, CallEndReason, LiveCallControl } from '@app/call-manager';
import { LiveSession, LiveSessionClosed } from '@app/gemini-client';
import WebSocket from 'ws';
import { AgentMonitor } from '../agent/agent-monitor';
import { CallBridge, CallBridgeOwner } from '../bridge/call-bridge';
import { CallLog } from '../bridge/call-log';
import { AgentCallControl } from '../control/agent-call-control';
import { mediaMetrics } from '../metrics/media.metrics';
import { OutboundAnswer } from '../outbound/outbound-answer';
import { CallFaultBoundary } from './call-fault-boundary';
import { CallGoodbye } from './call-goodbye';
import {
  CallLifecycleDeps,
  CallParties,
  StreamClose,
} from './call-lifecycle.types';
import { CallState, CallStateMachine } from './call-state';
import { CallTimers } from './call-timers';
import { wireStream } from './stream-wiring';
import { withinMs } from './within-ms.util';

/** Longest wait for the call manager to finish the record once the call is released here (ms). */
const SETTLE_TIMEOUT_MS = 30_000;
/** Longest wait for the peer to answer the stream's close frame before the call counts as ended (ms). */
const CLOSE_HANDSHAKE_MS = 1000;

/** How the call manager learns of the end: end the call, or give up a reservation (see below). */
type Settle = 'end' | 'expire';

/**
 * The one owner of a call's life in this process, as a state machine (see CallState): it holds the
 * early Gemini session, the media stream and its bridge, the call's timers and its fault boundary.
 * Every way a call ends — caller hang-up, `stop`, admin (here or from another instance), max duration,
 * media idle, a refused frame, Gemini lost, shutdown, a final status before the stream, a fault, the
 * agent's `end_call` or a transfer the person answered — is a call to `end` (or `sayGoodbye` first),
 * and the cleanup runs once, in `release`: the call is delisted,
 * its slot freed, its Gemini session closed, its timers cleared, its DSP memory returned, its final
 * record written once.
 */
export class CallLifecycle implements LiveCallControl, CallBridgeOwner {
  readonly callSid: string;
  readonly boundary: CallFaultBoundary;
  /** The agent's hang-up and transfers (CallControlTools find it here). */
  readonly control: AgentCallControl;
  private readonly machine = new CallStateMachine();
  private readonly timers: CallTimers;
  private log: CallLog;
  private session?: LiveSession;
  private socket?: WebSocket;
  private bridge?: CallBridge;
  private agent?: AgentMonitor;
  private readonly goodbye: CallGoodbye;
  private released?: Promise<void>;
  private readonly answer?: OutboundAnswer;
  /** Streams this call has taken (a second one only after a transfer nobody answered). */
  private streams = 0;
  /** How the stream ended while the call was transferring (the redirect's stop, or the caller gone). */
  private streamGone?: CallEndReason;

  constructor(private readonly deps: CallLifecycleDeps) {
    this.callSid = deps.parties.callSid;
    this.log = new CallLog('CallLifecycle', { callSid: this.callSid });
    this.boundary = new CallFaultBoundary(this.log, () => this.onFault());
    this.timers = new CallTimers(this.boundary);
    if (deps.outbound)
      this.answer = new OutboundAnswer(deps.outbound, {
        boundary: this.boundary,
        timers: this.timers,
        log: () => this.log,
        end: (reason) => this.end(reason),
      });
    this.goodbye = new CallGoodbye({
      machine: this.machine,
      timers: this.timers,
      bridge: () => this.bridge,
      end: (reason) => this.end(reason),
    });
    this.control = new AgentCallControl(deps.control, {
      callSid: this.callSid,
      boundary: this.boundary,
      timers: this.timers,
      log: () => this.log,
      bridge: () => this.bridge,
      note: (text) => deps.calls.appendTranscript(this.callSid, 'system', text),
      tellAgent: (text) => this.session?.sendText(text),
      recordTransfers: (list) => deps.calls.recordTransfers(this.callSid, list),
      end: (reason) => this.end(reason),
      beginTransfer: () => this.machine.to('transferring'),
      cancelTransfer: () => this.cancelTransfer(),
    });
  }

  /** Who is calling whom (outbound calls: with their dial id and profile). */
  get parties(): CallParties {
    return this.deps.parties;
  }

  /** Outbound: answering-machine detection's verdict (`POST /amd-status`); see OutboundAnswer. */
  answeredBy(verdict: AnsweredBy): void {
    if (!this.machine.isOver) this.answer?.decide(verdict);
  }

  /** Everything the agent said has played (CallBridgeOwner): a voicemail may be over. */
  playbackDrained(): void {
    this.answer?.playbackDrained();
  }

  get state(): CallState {
    return this.machine.state;
  }

  /** Timers armed now (expiry, max duration, idle, goodbye): none once the call has ended. */
  get activeTimers(): number {
    return this.timers.size;
  }

  /** The Gemini session the call holds now (early or live), if any. */
  get liveSession(): LiveSession | undefined {
    return this.session;
  }

  /** Resolves once the call has ended and its record is settled (immediately if it never ended). */
  get settled(): Promise<void> {
    return this.released ?? Promise.resolve();
  }

  /**
   * Reserved: opens the Gemini session early (its setup overlaps Twilio connecting the stream; the
   * agent's events are held until the stream starts) and gives the stream `streamTokenTtlMs` to come.
   */
  openEarlySession(): void {
    if (this.machine.state !== 'reserved' || this.session) return;
    this.session = this.deps.openSession();
    this.session.hold();
    const waitMs =
      this.deps.outbound?.answerTimeoutMs ?? this.deps.options.streamTokenTtlMs;
    this.timers.after('expiry', waitMs, () => this.expire());
  }

  /**
   * A media stream with a valid `start` for this call. Returns its bridge, or undefined (nothing
   * changed) when the call cannot take a stream: it already has one, or it is ending. The stream is
   * then claimed in the registry; a refused claim releases the call here without touching its record.
   */
  acceptStream(socket: WebSocket, streamSid: string): CallBridge | undefined {
    if (!this.machine.to('connecting')) return undefined;
    this.timers.clear('expiry');
    this.socket = socket;
    this.log = this.log.with({ streamSid });
    // A session that is still connecting or reconnecting is kept; one that is gone for good is closed.
    // A caller back from a transfer nobody answered gets a new session, told why.
    let session = this.session;
    if (!session || session.state === 'closed') {
      session?.close(1000, 'replaced');
      session = this.deps.openSession(this.control.takeReturnNote());
      this.session = session;
    }
    const first = this.streams++ === 0;
    const { bridge, agent } = wireStream({
      callSid: this.callSid,
      streamSid,
      socket,
      bridgeSession: this.answer ? this.answer.gate(session) : session,
      session,
      deps: this.deps,
      boundary: this.boundary,
      timers: this.timers,
      owner: this,
      log: () => this.log,
      // One recording per call: the stream after a failed transfer is not recorded.
      recorder: first ? this.deps.startRecording?.() : undefined,
    });
    this.bridge = bridge;
    this.agent = agent;
    bridge.start();
    this.answer?.streamStarted(() => bridge.pendingMarks.size === 0);
    this.armStreamTimers(bridge, first);
    this.boundary.track('attach', this.attach(streamSid, first));
    return bridge;
  }

  /**
   * The media stream on `socket` stopped (`stop`) or closed: the call ends with `reason`, unless it is
   * being transferred (Twilio stopped the stream to dial the target: only the stream's bridge and
   * session are released) or `socket` is an earlier stream of the call.
   */
  streamEnded(socket: WebSocket, reason: CallEndReason): void {
    if (socket !== this.socket) return;
    if (this.machine.state !== 'transferring') {
      void this.end(reason);
      return;
    }
    this.streamGone = reason;
    this.timers.clear('idle');
    this.timers.clear('recording');
    this.agent?.close();
    this.bridge?.close();
    this.session?.close(1000, 'transferred');
    void this.closeSocket(1000, 'call transferred');
    this.agent = this.bridge = this.session = this.socket = undefined;
  }

  /**
   * The transfer's dial ended and the caller comes back on a new stream (`POST /transfer-status`
   * answered with its TwiML): if that stream has not started within streamTokenTtlMs (its token's
   * life), the caller is not coming back (hung up meanwhile, or the stream failed): the call ends.
   */
  awaitReturn(): void {
    if (this.machine.state !== 'transferring') return;
    this.timers.after('expiry', this.deps.options.streamTokenTtlMs, () => {
      if (this.machine.state !== 'transferring') return;
      this.log.warn('The caller did not come back from the transfer in time');
      return this.end(this.streamGone ?? 'stream-stopped');
    });
  }

  /**
   * Ends the call once, whatever ended it (LiveCallControl; also every local end path). The stream is
   * closed with `close` (default 1000, "call ended: <reason>"). Never rejects.
   */
  end(reason: CallEndReason, close?: StreamClose): Promise<void> {
    // Ended `transferred` from another instance (it took the whisper): the transfer was answered.
    if (reason === 'transferred') this.control.markAnswered();
    return this.release(reason, 'end', close);
  }

  /** The agent is gone for good: the caller hears the apology, then the call ends (`agent-closed`). */
  agentLost(info: LiveSessionClosed): void {
    mediaMetrics.agentLost.inc();
    this.log.warn('Gemini session lost; saying goodbye', {
      code: info.code,
      reason: info.reason,
    });
    this.sayGoodbye('agent-closed');
  }

  /** The goodbye prompt has played (Twilio echoed its mark). */
  goodbyePlayed(): void {
    this.goodbye.played();
  }

  /** The spoken apology while the stream is up, then the end with `reason` (see CallGoodbye). */
  sayGoodbye(reason: CallEndReason): void {
    this.goodbye.say(reason);
  }

  /**
   * The redirect could not start: back to `live` on the stream the call still has. When that stream
   * is gone too (the caller hung up while the redirect was on its way), there is nothing to go back
   * to: the call ends the way its stream did.
   */
  private cancelTransfer(): boolean {
    if (this.bridge) return this.machine.to('live');
    if (this.machine.state === 'transferring')
      void this.end(this.streamGone ?? 'stream-stopped');
    return false;
  }

  /** A fault in this call (see CallFaultBoundary): the apology, then the end with reason `error`. */
  private onFault(): void {
    this.sayGoodbye('error');
  }

  private async attach(streamSid: string, first: boolean): Promise<void> {
    // A caller back from a transfer: the call is still claimed by this lifecycle in the registry.
    if (!first) {
      if (this.machine.to('live')) this.log.info('Caller back with the agent');
      return;
    }
    const attached = await this.deps.calls.attach(
      this.callSid,
      this,
      streamSid,
    );
    if (this.machine.state !== 'connecting') return; // ended (or saying goodbye) meanwhile
    if (!attached) {
      await this.release('refused', 'expire', {
        code: 1008,
        reason: 'call is not live or already has a media stream',
      });
      return;
    }
    this.machine.to('live');
    this.log.info('Media stream started');
  }

  /** Reserved too long: the stream never came here (it may have gone to another instance). */
  private async expire(): Promise<void> {
    if (this.machine.state !== 'reserved') return;
    this.log.warn('Media stream did not connect here in time');
    await this.release('stream-never-started', 'expire');
  }

  /** Idle check for the stream; the call's maximum duration from its first stream on. */
  private armStreamTimers(bridge: CallBridge, first: boolean): void {
    const { maxCallDurationMs, idleTimeoutMs } = this.deps.options;
    if (first)
      this.timers.after('max-duration', maxCallDurationMs, () =>
        this.end('max-duration'),
      );
    const idleCheckMs = Math.max(50, Math.min(1000, idleTimeoutMs / 4));
    this.timers.every('idle', idleCheckMs, () => {
      if (Date.now() - bridge.lastMediaAt > idleTimeoutMs)
        void this.end('idle-timeout');
    });
  }

  /**
   * The one cleanup. `settle`: `end` finishes the call (slot, record) with `reason`; `expire` only
   * gives up this process's reservation (the call manager ends it unless its stream is elsewhere).
   */
  private release(
    reason: CallEndReason,
    settle: Settle,
    close: StreamClose = { code: 1000, reason: `call ended: ${reason}` },
  ): Promise<void> {
    if (!this.machine.to('ending')) return this.settled;
    // A transfer still ringing ends with the call (caller gone, admin, max duration…): record it so.
    if (reason !== 'transferred') this.control.abandon(reason);
    this.released = this.releaseOnce(reason, settle, close);
    return this.released;
  }

  private async releaseOnce(
    reason: CallEndReason,
    settle: Settle,
    close: StreamClose,
  ): Promise<void> {
    this.log.info('Call ending', { reason });
    this.timers.clearAll();
    this.agent?.close(); // its usage is queued before the final record
    this.bridge?.close();
    this.session?.close(1000, 'call ended');
    // With <Connect><Stream>, closing the stream ends the call at Twilio.
    const handshake = this.closeSocket(close.code, close.reason);
    const done: Promise<unknown> =
      settle === 'end'
        ? this.deps.calls.end(this.callSid, reason)
        : this.deps.calls.expireReservation(this.callSid);
    try {
      await withinMs(done, SETTLE_TIMEOUT_MS);
    } catch (err) {
      this.log.error('The call manager did not settle the call', {
        reason,
        err: err instanceof Error ? err.message : String(err),
      });
    }
    // Ended only once Twilio has answered the close (a shutdown must not cut the socket mid-handshake).
    await handshake;
    this.machine.to('ended');
    this.deps.onEnded(this);
  }

  /**
   * Starts the stream's closing handshake; resolves once the socket has closed, or after
   * CLOSE_HANDSHAKE_MS (never rejects). A process shutting down waits for it (CallDrain awaits the
   * end) before the WebSocket server terminates what is left: a socket destroyed while the peer
   * still sends media is reset, and the peer may never read the close frame (it sees 1006).
   */
  private closeSocket(code: number, reason: string): Promise<void> {
    const socket = this.socket;
    if (socket?.readyState !== WebSocket.OPEN) return Promise.resolve();
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_HANDSHAKE_MS);
      timer.unref();
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    socket.close(code, reason);
    return closed;
  }
}
