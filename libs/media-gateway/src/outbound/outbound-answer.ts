import type { AnsweredBy, CallEndReason } from '@app/call-manager';
import type { LiveSession } from '@app/gemini-client';
import type { CallLog } from '../bridge/call-log';
import type { CallFaultBoundary } from '../lifecycle/call-fault-boundary';
import type { CallTimers } from '../lifecycle/call-timers';
import { AnswerGate, answerGatedSession } from './answer-gated-session';

/** What one outbound call does once answering-machine detection has spoken. */
export interface OutboundPlan {
  /** The profile's greeting, asked of the agent when a person answers (unset: it introduces itself). */
  greeting?: string;
  /** Said by the agent, word for word, to an answering machine after its beep. */
  voicemailMessage: string;
  /** With the stream up and no verdict this long, the callee is taken for a person (ms). */
  amdTimeoutMs: number;
  /** Longest voicemail (ms): the call ends then, however far the message got. */
  voicemailMaxMs: number;
  /** How long the reservation waits for the callee to answer and the stream to start (ms). */
  answerTimeoutMs: number;
  /** Ends the call at the carrier too (Twilio REST `Status=completed`). Never rejects. */
  hangUp(): Promise<void>;
}

/** The parts of its CallLifecycle an OutboundAnswer works through. */
export interface OutboundAnswerHost {
  readonly boundary: CallFaultBoundary;
  readonly timers: CallTimers;
  log(): CallLog;
  /** Ends the call (CallLifecycle.end). */
  end(reason: CallEndReason): Promise<void>;
}

/** Where the call stands: waiting for AMD, the agent talking with a person, or a voicemail being left. */
type Phase = 'waiting' | 'talking' | 'voicemail' | 'over';

const MACHINE: ReadonlySet<AnsweredBy> = new Set<AnsweredBy>([
  'machine_start',
  'machine_end_beep',
  'machine_end_silence',
  'machine_end_other',
]);

/**
 * One outbound call's answer (Twilio async AMD, `POST /amd-status`). Until the verdict the agent is held:
 * the callee hears nothing and the agent hears nothing (see answerGatedSession), as a person placing the
 * call would wait to hear who picked up rather than talk over a voicemail greeting. Then:
 * - `human` or `unknown` (or no verdict within `amdTimeoutMs`): the agent is released and asked to
 *   greet; the callee's audio reaches it from now on;
 * - a machine (`machine_end_beep`, `machine_end_silence`, `machine_end_other`; `machine_start`): the
 *   agent is asked to say the voicemail message word for word (the machine's audio stays away from it);
 *   once that turn is complete and has played (every mark echoed), the call ends with `voicemail` and is
 *   hung up at Twilio; `voicemailMaxMs` bounds it;
 * - `fax`: the call ends at once (`fax`), hung up at Twilio.
 * A verdict may come before the stream starts (it is kept until then; `fax` ends the call at once). The
 * first verdict wins. Everything runs inside the call's fault boundary, on the call's timers.
 */
export class OutboundAnswer implements AnswerGate {
  private phase: Phase = 'waiting';
  private verdict?: AnsweredBy;
  private session?: LiveSession;
  private streaming = false;
  private voicemailSaid = false;
  private drained?: () => boolean;
  private hearing = false;

  constructor(
    private readonly plan: OutboundPlan,
    private readonly host: OutboundAnswerHost,
  ) {}

  /** Whether the callee's audio reaches the agent (a person answered). */
  get listening(): boolean {
    return this.hearing;
  }

  /** The verdict so far, if any. */
  get answeredBy(): AnsweredBy | undefined {
    return this.verdict;
  }

  /** The call's session as its bridge gets it: gated until the verdict. */
  gate(session: LiveSession): LiveSession {
    this.session = session;
    // A session opened with the stream (not early) was never held: nothing may play before the verdict.
    if (this.phase === 'waiting') session.hold();
    return answerGatedSession(session, this);
  }

  /** The bridge started (and asked for the held events): they stay held until the verdict. */
  releaseRequested(): void {}

  /**
   * The stream started and its bridge is wired. `drained`: whether everything the agent said has
   * played (no mark outstanding). Applies a verdict that came early, or waits `amdTimeoutMs` for one.
   */
  streamStarted(drained: () => boolean): void {
    this.streaming = true;
    this.drained = drained;
    if (this.verdict) {
      this.apply(this.verdict);
      return;
    }
    this.host.timers.after('amd', this.plan.amdTimeoutMs, () => {
      this.host.log().warn('No answering-machine verdict in time; talking', {
        waitedMs: this.plan.amdTimeoutMs,
      });
      this.decide('unknown');
    });
  }

  /** Answering-machine detection's verdict (the first one counts). */
  decide(answeredBy: AnsweredBy): void {
    if (this.verdict || this.phase === 'over') return;
    this.verdict = answeredBy;
    this.host.timers.clear('amd');
    this.host.log().info('Outbound call answered', { answeredBy });
    if (answeredBy === 'fax') this.finish('fax');
    else if (this.streaming) this.apply(answeredBy);
  }

  /** Every agent mark has been echoed: a voicemail whose turn is complete has played out. */
  playbackDrained(): void {
    if (this.phase === 'voicemail' && this.voicemailSaid)
      this.finish('voicemail');
  }

  private apply(answeredBy: AnsweredBy): void {
    if (this.phase !== 'waiting') return;
    if (MACHINE.has(answeredBy)) this.leaveVoicemail();
    else this.talk();
  }

  private talk(): void {
    this.phase = 'talking';
    const { greeting } = this.plan;
    this.say(
      greeting
        ? `The person you called has just answered the phone. Greet them by saying: "${greeting}"`
        : 'The person you called has just answered the phone. Greet them, say who you are and why you are calling, in one or two short sentences.',
    );
    this.hearing = true;
    this.session?.release();
  }

  private leaveVoicemail(): void {
    this.phase = 'voicemail';
    const session = this.session;
    if (!session) return this.finish('voicemail');
    // Registered before the release, so a turnComplete held meanwhile is seen too.
    session.once(
      'turnComplete',
      this.host.boundary.wrap('outbound:voicemail-said', () => {
        this.voicemailSaid = true;
        if (this.drained?.() !== false) this.finish('voicemail');
      }),
    );
    this.host.timers.after('voicemail', this.plan.voicemailMaxMs, () =>
      this.finish('voicemail'),
    );
    this.say(
      'An answering machine took the call and its beep has sounded. Leave this voicemail message now, ' +
        `word for word, and say nothing else: "${this.plan.voicemailMessage}"`,
    );
    session.release();
  }

  /** Sends `text` to the agent (a session still setting up queues it until `setupComplete`). */
  private say(text: string): void {
    this.session?.sendText(text);
  }

  /** Ends the call here (stream closed, record written) and at Twilio (REST `Status=completed`). */
  private finish(reason: CallEndReason): void {
    if (this.phase === 'over') return;
    this.phase = 'over';
    this.host.timers.clear('voicemail');
    this.host.boundary.track('outbound:end', this.host.end(reason));
    this.host.boundary.track('outbound:hang-up', this.plan.hangUp());
  }
}
