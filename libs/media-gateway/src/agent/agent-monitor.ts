import type { CallEvents, CallsService } from '@app/call-manager';
import type {
  LiveSession,
  LiveSessionEvents,
  ToolCallScope,
} from '@app/gemini-client';
import type { CallBridge } from '../bridge/call-bridge';
import type { CallLog } from '../bridge/call-log';
import type { CallFaultBoundary } from '../lifecycle/call-fault-boundary';
import type { CallTimers } from '../lifecycle/call-timers';
import { PROMPTS } from '../prompts/prompts.generated';
import { CallUsageMeter } from './call-usage.meter';
import {
  DEFAULT_AGENT_STALL_TIMEOUT_MS,
  StallWatchdog,
} from './stall-watchdog';
import {
  monotonicEpochMs,
  TurnClock,
  TurnLatencyTracker,
} from './turn-latency.tracker';

/** What an AgentMonitor needs from its call (CallLifecycle). */
export interface AgentMonitorDeps {
  callSid: string;
  session: LiveSession;
  bridge: CallBridge;
  tools: ToolCallScope;
  calls: CallsService;
  /** `agent.turn` and `agent.reconnected` go out here (tracing, listeners). */
  events: CallEvents;
  timers: CallTimers;
  boundary: CallFaultBoundary;
  log(): CallLog;
  /** Silence after the caller's turn before the watchdog acts (ms); default 6000. */
  stallTimeoutMs?: number;
  /** Epoch ms for turn latency and reconnect timing; default the process's monotonic clock. */
  clock?: TurnClock;
}

/**
 * The Gemini 3.8 signals of one call that the straight audio path (CallBridge) does not carry:
 * - `voiceActivity` ACTIVITY_START: the caller barged in: Twilio's buffer is cleared at once, before
 *   the `interrupted` that follows (which then clears nothing twice; CallBridge.bargeIn);
 * - `usage`: summed per call (CallUsageMeter), exported as metrics, stored on the record at the end;
 * - turn signals for the StallWatchdog: caller turns (input transcription, ACTIVITY_END), agent audio,
 *   tool calls and their answers, `interactionStatus` (IN_PROGRESS: still thinking, never a stall);
 * - the same signals for the TurnLatencyTracker: per-turn latency (metric, call record, `agent.turn`);
 * - connection switches (`reconnecting` … `reconnected`, or `closed` meanwhile) as `agent.reconnected`.
 * Attached before the bridge releases the session's held events, so what the early session said
 * (its greeting, its usage) is seen too. Every listener runs inside the call's fault boundary.
 */
export class AgentMonitor {
  private readonly usage = new CallUsageMeter();
  private readonly watchdog: StallWatchdog;
  private readonly turns: TurnLatencyTracker;
  private readonly clock: TurnClock;
  /** A connection switch in progress: since when (epoch ms) and why. */
  private switching?: { at: number; reason: string };
  private closed = false;

  constructor(private readonly deps: AgentMonitorDeps) {
    const { session, bridge, tools, timers, boundary, events, callSid } = deps;
    const clock = (this.clock = deps.clock ?? monotonicEpochMs);
    const turns = (this.turns = new TurnLatencyTracker(
      (turn) => events.emit('agent.turn', { callSid, ...turn }),
      clock,
    ));
    this.watchdog = new StallWatchdog({
      timers,
      timeoutMs: deps.stallTimeoutMs ?? DEFAULT_AGENT_STALL_TIMEOUT_MS,
      log: () => deps.log(),
      toolsRunning: () => tools.active,
      nudge: (text) => session.sendText(text),
      playPrompt: () =>
        bridge.playPrompt(PROMPTS.oneMomentPlease) !== undefined,
      note: (text) => bridge.note(text),
    });
    const watchdog = this.watchdog;
    const on = <K extends keyof LiveSessionEvents>(
      name: K,
      listener: (...args: LiveSessionEvents[K]) => void,
    ): void => {
      const guarded = boundary.wrap(`gemini:${name}`, listener);
      session.on(name, guarded as Parameters<LiveSession['on']>[1]);
    };
    on('voiceActivity', (kind) => {
      if (kind === 'start') {
        bridge.bargeIn('voice-activity');
        watchdog.callerStarted();
        turns.callerStarted();
      } else {
        watchdog.callerTurnEnded('activity');
        turns.callerEnded('activity');
      }
    });
    on('inputTranscript', () => {
      watchdog.callerTurnEnded('transcript');
      turns.callerEnded('transcript');
    });
    on('audio', () => {
      watchdog.agentSpoke();
      turns.agentAudio();
    });
    // A reconnect ends a turn too: what the lost connection was saying is gone.
    for (const end of [
      'turnComplete',
      'generationComplete',
      'interrupted',
      'reconnected',
    ] as const)
      on(end, () => watchdog.agentTurnEnded());
    on('generationComplete', () => turns.generationEnded());
    on('turnComplete', () => turns.agentTurnEnded('complete'));
    on('interrupted', () => turns.agentTurnEnded('interrupted'));
    on('reconnecting', (reason) => {
      this.switching ??= { at: clock(), reason };
    });
    on('reconnected', (info) => {
      turns.agentTurnEnded('reconnected');
      this.switchEnded(true, info.reason, info.resumed, info.switchMs);
    });
    on('toolCall', () => watchdog.toolStarted());
    on('interactionStatus', (status) =>
      watchdog.interaction(status === 'IN_PROGRESS'),
    );
    on('usage', (usage) => this.usage.add(usage));
    on('closed', () => {
      watchdog.stop(); // the apology plays next: no stall prompt over it
      this.switchEnded(false);
    });
    tools.onSettled((outcome) =>
      boundary.run('tool:settled', () => {
        if (!this.closed) watchdog.toolSettled(outcome);
      }),
    );
  }

  /**
   * The call is ending: the watchdog stops, a turn in progress is reported, and the call's usage and
   * turn latencies (those it has) are queued for its record ahead of the final record.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watchdog.stop();
    this.turns.close();
    const { calls, callSid, boundary } = this.deps;
    if (this.turns.latencies.length > 0)
      boundary.track(
        'turn-latencies',
        calls.recordTurnLatencies(callSid, this.turns.latencies),
      );
    if (this.usage.empty) return;
    boundary.track('usage', calls.recordUsage(callSid, this.usage.usage));
  }

  /**
   * A connection switch is over (`ok`: the new connection serves; else the session is lost). Reported
   * once per switch as `agent.reconnected`; `switchMs` (ms) stands in when `reconnecting` was not seen.
   */
  private switchEnded(
    ok: boolean,
    reason?: string,
    resumed?: boolean,
    switchMs?: number,
  ): void {
    const began = this.switching;
    this.switching = undefined;
    if (!began && (!ok || switchMs === undefined)) return;
    const now = this.clock();
    const at = began?.at ?? now - (switchMs ?? 0);
    this.deps.events.emit('agent.reconnected', {
      callSid: this.deps.callSid,
      startedAt: new Date(at).toISOString(),
      durationMs: Math.round(now - at),
      reason: reason ?? began?.reason ?? 'unknown',
      ok,
      ...(ok ? { resumed } : {}),
    });
  }
}
