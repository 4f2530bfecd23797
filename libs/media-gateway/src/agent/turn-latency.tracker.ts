import type {
  AgentTurnOutcome,
  CallEventMap,
  TurnLatency,
} from '@app/call-manager';
import { mediaMetrics } from '../metrics/media.metrics';

/** Turns kept on a call's record; a longer call keeps its first ones (the metric counts them all). */
export const MAX_RECORDED_TURNS = 1000;

/** A finished turn as the tracker reports it (`agent.turn` without the callSid). */
export type FinishedTurn = Omit<CallEventMap['agent.turn'], 'callSid'>;

/** Epoch milliseconds with sub-millisecond precision (monotonic within the process). */
export type TurnClock = () => number;

/** The process's monotonic clock as epoch ms: `performance.timeOrigin + performance.now()`. */
export const monotonicEpochMs: TurnClock = () =>
  performance.timeOrigin + performance.now();

interface CallerEnd {
  /** When the caller's end of speech was learnt (epoch ms, TurnClock). */
  at: number;
}

interface AnsweredTurn extends CallerEnd {
  /** ms from the caller's end of speech to the reply's first audio. */
  latencyMs: number;
}

/**
 * Per-turn latency of one call: from the caller's end of speech to the first agent audio of the reply
 * handed to the bridge, which writes it to Twilio's socket in the same tick.
 *
 * The caller's end of speech is the earliest reliable signal the service gets: Gemini's server-side
 * `voiceActivity` ACTIVITY_END when the session reports voice activity (from the first such report
 * on, transcription no longer counts); otherwise the last input transcription piece before the reply
 * (pieces trickle in while the caller speaks; the last one is the nearest to the end). A transcription
 * piece that arrives while the agent is mid-reply belongs to the turn being answered (the same rule
 * as the StallWatchdog). ACTIVITY_START (the caller went on speaking) cancels the wait; the next end
 * starts it again. Audio while the agent's previous reply is still open (no turnComplete /
 * generationComplete / interrupted yet) belongs to that reply, so it never ends a wait.
 *
 * Each answered turn is observed in `voice_turn_latency_seconds`, kept for the call record
 * (`turnLatencies`) and, once the agent's turn is over, reported as a FinishedTurn (for tracing and
 * listeners). Tool calls, the model's thinking and stalls are part of the latency: the caller waits
 * through them. Prompts the service plays itself ("one moment, please") are not the agent's reply.
 */
export class TurnLatencyTracker {
  /** Answered turns, in order (at most MAX_RECORDED_TURNS). */
  readonly latencies: TurnLatency[] = [];
  private waiting?: CallerEnd;
  private answering?: AnsweredTurn;
  private activitySignals = false;
  private agentTurnOpen = false;
  private closed = false;

  constructor(
    private readonly report: (turn: FinishedTurn) => void,
    private readonly now: TurnClock = monotonicEpochMs,
  ) {}

  /** The caller started speaking (ACTIVITY_START): their turn is not over yet. */
  callerStarted(): void {
    this.activitySignals = true;
    this.waiting = undefined;
  }

  /**
   * A signal that the caller's turn ended: `activity` (ACTIVITY_END) always counts and makes
   * transcription irrelevant for the rest of the call; `transcript` counts only while the session has
   * never reported voice activity and the agent is not mid-reply.
   */
  callerEnded(signal: 'activity' | 'transcript'): void {
    if (this.closed) return;
    if (signal === 'activity') this.activitySignals = true;
    else if (this.activitySignals || this.agentTurnOpen) return;
    this.waiting = { at: this.now() };
  }

  /** Agent audio reached the bridge: the first after a caller's end of speech ends the measurement. */
  agentAudio(): void {
    if (this.closed) return;
    const waiting = this.agentTurnOpen ? undefined : this.waiting;
    this.agentTurnOpen = true;
    if (!waiting) return;
    this.waiting = undefined;
    const latencyMs = this.now() - waiting.at;
    mediaMetrics.turnLatency.observe(latencyMs / 1000);
    if (this.latencies.length < MAX_RECORDED_TURNS)
      this.latencies.push({
        at: new Date(waiting.at).toISOString(),
        ms: Math.round(latencyMs),
      });
    // A reply that started before the previous one was reported (no turnComplete between) ends it.
    this.finish('complete');
    this.answering = { at: waiting.at, latencyMs };
  }

  /** The agent's reply is over for playback purposes (generationComplete): later audio is a new reply. */
  generationEnded(): void {
    this.agentTurnOpen = false;
  }

  /** The agent's turn is over: turnComplete, interrupted, or a connection switch. */
  agentTurnEnded(outcome: Exclude<AgentTurnOutcome, 'call-ended'>): void {
    this.agentTurnOpen = false;
    this.finish(outcome);
  }

  /** The call is ending: a reply in progress, or a caller turn still unanswered, is reported. */
  close(): void {
    if (this.closed) return;
    this.finish('call-ended');
    const waiting = this.waiting;
    this.waiting = undefined;
    this.closed = true;
    if (waiting)
      this.report({
        callerEndedAt: new Date(waiting.at).toISOString(),
        durationMs: Math.round(this.now() - waiting.at),
        outcome: 'call-ended',
      });
  }

  private finish(outcome: AgentTurnOutcome): void {
    const turn = this.answering;
    if (!turn) return;
    this.answering = undefined;
    this.report({
      callerEndedAt: new Date(turn.at).toISOString(),
      latencyMs: Math.round(turn.latencyMs),
      durationMs: Math.round(this.now() - turn.at),
      outcome,
    });
  }
}
