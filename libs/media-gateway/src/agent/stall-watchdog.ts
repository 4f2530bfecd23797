import type { ToolCallOutcome } from '@app/gemini-client';
import type { CallLog } from '../bridge/call-log';
import type { CallTimers } from '../lifecycle/call-timers';
import { mediaMetrics } from '../metrics/media.metrics';

/** Default for `agentStallTimeoutMs` (AGENT_STALL_TIMEOUT_MS): silence after a caller's turn (ms). */
export const DEFAULT_AGENT_STALL_TIMEOUT_MS = 6000;
/** The timer's name among the call's timers. */
const TIMER = 'agent-stall';
/** What the model is told when it has left the caller waiting (sent as realtimeInput text). */
export const STALL_NUDGE_TEXT =
  'The caller has finished speaking and is waiting for your answer. Please respond to them now.';

/** What a StallWatchdog acts through; everything it calls runs inside the call's fault boundary. */
export interface StallWatchdogHost {
  /** The call's timers (callbacks inside its fault boundary; cleared when the call ends). */
  timers: CallTimers;
  /** Silence after the caller's turn before acting (ms). */
  timeoutMs: number;
  log(): CallLog;
  /** Tool calls running now (ToolCallScope.active). */
  toolsRunning(): number;
  /** Asks the model, once per caller turn, to answer. */
  nudge(text: string): void;
  /** Plays the bundled "one moment, please" prompt; false when nothing could play. */
  playPrompt(): boolean;
  /** A system line on the call's transcript. */
  note(text: string): void;
}

/**
 * Never stuck in silence: when the caller has finished a turn (the model's input transcription, or
 * the server's ACTIVITY_END) or a tool has answered, the agent owes a reply. If no agent audio
 * starts within `timeoutMs` while no tool runs and the model is not still working on the input
 * (3.8 `interactionStatus` IN_PROGRESS), the model is nudged once; if `timeoutMs` more pass in
 * silence, the caller hears the bundled "one moment, please" prompt. Each stall is counted
 * (`agent_stalls_total{outcome}`: `nudged` when the nudge made the agent speak, `prompted` when the
 * prompt played) and noted on the transcript. A caller who starts speaking again (ACTIVITY_START)
 * pauses it; a new caller turn starts it over (and earns a new nudge).
 */
export class StallWatchdog {
  /** A reply is owed (the caller's turn or a tool answer is unanswered). */
  private owed = false;
  private nudged = false;
  private callerSpeaking = false;
  /** The agent is mid-reply (audio since its last turnComplete / generationComplete / interrupted). */
  private agentTurnOpen = false;
  private thinking = false;
  private stopped = false;

  constructor(private readonly host: StallWatchdogHost) {}

  /**
   * The caller finished (or continued) a turn: a reply is owed from now on. Input transcription is
   * not ordered with the model's turn (js-genai LiveServerContent): a piece that arrives while the
   * agent is mid-reply belongs to the turn being answered and owes nothing (`transcript`). The
   * server's ACTIVITY_END always counts (`activity`).
   */
  callerTurnEnded(signal: 'transcript' | 'activity'): void {
    if (signal === 'transcript' && this.agentTurnOpen) return;
    this.callerSpeaking = false;
    this.nudged = false;
    this.expectReply();
  }

  /** The caller started speaking (ACTIVITY_START): wait until they stop. */
  callerStarted(): void {
    this.callerSpeaking = true;
    this.host.timers.clear(TIMER);
  }

  /** Agent audio arrived: the reply started. */
  agentSpoke(): void {
    this.agentTurnOpen = true;
    if (this.owed && this.nudged) this.count('nudged');
    this.owed = false;
    this.nudged = false;
    this.host.timers.clear(TIMER);
  }

  /** The agent's turn is over (turnComplete, generationComplete or interrupted). */
  agentTurnEnded(): void {
    this.agentTurnOpen = false;
  }

  /** `interactionStatus`: while IN_PROGRESS the model is still at work (thinking); never a stall. */
  interaction(inProgress: boolean): void {
    this.thinking = inProgress;
    this.arm();
  }

  /** The model called a tool: wait for it to answer (see toolSettled). */
  toolStarted(): void {
    this.host.timers.clear(TIMER);
  }

  /**
   * A tool finished. Its answer makes the model speak unless it was cancelled (no answer is sent) or
   * declared `SILENT` (context only); then the wait for a reply owed before goes on.
   */
  toolSettled(outcome: ToolCallOutcome): void {
    if (outcome.cancelled || outcome.scheduling === 'SILENT') this.arm();
    else this.expectReply();
  }

  /** The call is ending: nothing more. */
  stop(): void {
    this.stopped = true;
    this.owed = false;
    this.host.timers.clear(TIMER);
  }

  private expectReply(): void {
    this.owed = true;
    this.arm();
  }

  /** (Re)starts the timer while a reply is owed and nothing explains the silence; else clears it. */
  private arm(): void {
    const { timers, timeoutMs } = this.host;
    if (this.stopped || !this.owed || this.paused) timers.clear(TIMER);
    else timers.after(TIMER, timeoutMs, () => this.fire());
  }

  private get paused(): boolean {
    return this.callerSpeaking || this.thinking || this.host.toolsRunning() > 0;
  }

  private fire(): void {
    if (this.stopped || !this.owed) return;
    if (this.paused) return; // a tool or the model's thinking resumes the wait when it ends
    const seconds = Math.round(this.host.timeoutMs / 100) / 10;
    if (!this.nudged) {
      this.nudged = true;
      this.host.log().warn('Agent silent after the caller; nudging it', {
        silentMs: this.host.timeoutMs,
      });
      this.host.note(
        `agent silent ${seconds} s after the caller: asked it to answer`,
      );
      this.host.nudge(STALL_NUDGE_TEXT);
      this.arm();
      return;
    }
    this.owed = false;
    this.nudged = false;
    const played = this.host.playPrompt();
    this.count('prompted');
    this.host.log().warn('Agent still silent after a nudge', { played });
    this.host.note(
      played
        ? `agent still silent ${seconds} s after the nudge: played "one moment, please"`
        : `agent still silent ${seconds} s after the nudge`,
    );
  }

  private count(outcome: 'nudged' | 'prompted'): void {
    mediaMetrics.agentStalls.inc({ outcome });
  }
}
