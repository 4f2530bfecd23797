import type { CallsService } from '@app/call-manager';
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

/** What an AgentMonitor needs from its call (CallLifecycle). */
export interface AgentMonitorDeps {
  callSid: string;
  session: LiveSession;
  bridge: CallBridge;
  tools: ToolCallScope;
  calls: CallsService;
  timers: CallTimers;
  boundary: CallFaultBoundary;
  log(): CallLog;
  /** Silence after the caller's turn before the watchdog acts (ms); default 6000. */
  stallTimeoutMs?: number;
}

/**
 * The Gemini 3.8 signals of one call that the straight audio path (CallBridge) does not carry:
 * - `voiceActivity` ACTIVITY_START: the caller barged in: Twilio's buffer is cleared at once, before
 *   the `interrupted` that follows (which then clears nothing twice; CallBridge.bargeIn);
 * - `usage`: summed per call (CallUsageMeter), exported as metrics, stored on the record at the end;
 * - turn signals for the StallWatchdog: caller turns (input transcription, ACTIVITY_END), agent audio,
 *   tool calls and their answers, `interactionStatus` (IN_PROGRESS: still thinking, never a stall).
 * Attached before the bridge releases the session's held events, so what the early session said
 * (its greeting, its usage) is seen too. Every listener runs inside the call's fault boundary.
 */
export class AgentMonitor {
  private readonly usage = new CallUsageMeter();
  private readonly watchdog: StallWatchdog;
  private closed = false;

  constructor(private readonly deps: AgentMonitorDeps) {
    const { session, bridge, tools, timers, boundary } = deps;
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
      } else watchdog.callerTurnEnded('activity');
    });
    on('inputTranscript', () => watchdog.callerTurnEnded('transcript'));
    on('audio', () => watchdog.agentSpoke());
    // A reconnect ends a turn too: what the lost connection was saying is gone.
    for (const end of [
      'turnComplete',
      'generationComplete',
      'interrupted',
      'reconnected',
    ] as const)
      on(end, () => watchdog.agentTurnEnded());
    on('toolCall', () => watchdog.toolStarted());
    on('interactionStatus', (status) =>
      watchdog.interaction(status === 'IN_PROGRESS'),
    );
    on('usage', (usage) => this.usage.add(usage));
    on('closed', () => watchdog.stop()); // the apology plays next: no stall prompt over it
    tools.onSettled((outcome) =>
      boundary.run('tool:settled', () => {
        if (!this.closed) watchdog.toolSettled(outcome);
      }),
    );
  }

  /**
   * The call is ending: the watchdog stops, and the call's usage (if any was reported) is queued for
   * its record ahead of the final record.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watchdog.stop();
    if (this.usage.empty) return;
    const { calls, callSid, boundary } = this.deps;
    boundary.track('usage', calls.recordUsage(callSid, this.usage.usage));
  }
}
