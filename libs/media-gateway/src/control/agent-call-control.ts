import type { CallEndReason, CallTransfer } from '@app/call-manager';
import type { TransferTargets } from '@app/gemini-client';
import type { CallBridge } from '../bridge/call-bridge';
import type { CallLog } from '../bridge/call-log';
import type { CallFaultBoundary } from '../lifecycle/call-fault-boundary';
import type { CallTimers } from '../lifecycle/call-timers';
import { controlMetrics } from './call-control.metrics';

/** The agent's last words count as over after this long without new agent audio (ms). */
const QUIET_MS = 1200;
/** How often the playout is checked while the call waits on it (ms). */
const PLAYOUT_POLL_MS = 100;
/** Longest wait for the agent's last words to play before acting anyway (ms). */
const PLAYOUT_MAX_MS = 15_000;
/** Beyond the ring time, how long a transfer may go without news from Twilio before the call ends (ms). */
const TRANSFER_GUARD_MS = 60_000;
/** Longest text of a whisper summary (characters). */
export const SUMMARY_MAX = 500;

/** How this call's agent may end or transfer it (from its profile and the deployment). */
export interface CallControlPlan {
  /** `transfer_call`'s only destinations (the profile's transferTargets). */
  targets?: TransferTargets;
  /** Why transfers cannot work here (no Twilio REST credentials), or undefined. */
  transferUnavailable?: string;
  /** How long Twilio rings a transfer target (seconds). */
  ringSeconds: number;
  /**
   * Redirects the live call to TwiML that dials `to`, the person answering hearing `summary` first
   * (CallTransfers.redirect). Rejects with a reason the agent can be told.
   */
  redirect(to: string, summary: string): Promise<void>;
  /** Ends the call at Twilio (REST `Status=completed`); never rejects. */
  hangUp(): Promise<void>;
}

/** What AgentCallControl needs from its call (CallLifecycle). */
export interface AgentCallControlHost {
  readonly callSid: string;
  readonly boundary: CallFaultBoundary;
  readonly timers: CallTimers;
  log(): CallLog;
  /** The bridge of the stream the call has now, if any. */
  bridge(): CallBridge | undefined;
  /** A system line on the call's transcript. */
  note(text: string): void;
  /** Tells the agent something (a text turn in its session). */
  tellAgent(text: string): void;
  /** Stores the call's transfers (the whole list). */
  recordTransfers(transfers: CallTransfer[]): Promise<void>;
  end(reason: CallEndReason): Promise<void>;
  /** live → transferring; false (nothing changed) when the call is not live. */
  beginTransfer(): boolean;
  /** transferring → live, the stream still up (the redirect failed); false when not possible. */
  cancelTransfer(): boolean;
}

/** Why a dial ended, in the words the agent is told (Twilio's DialCallStatus). */
const DIAL_FAILURES: Record<string, string> = {
  busy: 'the line was busy',
  'no-answer': 'nobody answered',
  failed: 'the call could not be placed',
  canceled: 'the call was canceled',
};

/**
 * The agent's call control for one call (the built-in `end_call` and `transfer_call` tools, see
 * CallControlTools). Both let the agent's last words play out first: the agent has been quiet for
 * QUIET_MS (from the tool call on, so a reply to the tool's answer is heard too) and Twilio has echoed
 * every mark (the audio has played), at most PLAYOUT_MAX_MS. Then `end_call` ends the call
 * (`agent-hangup`); `transfer_call` redirects it over Twilio's REST API to TwiML that dials the
 * target with a whisper. The person answering (whisper requested) ends the call here (`transferred`);
 * a dial nobody took brings the caller back to a new agent session told why. Every step runs in the
 * call's fault boundary; transfers are recorded as they change.
 */
export class AgentCallControl {
  private pending?: 'hang-up' | 'transfer';
  private readonly transfers: CallTransfer[] = [];
  private returnNote?: string;

  constructor(
    private readonly plan: CallControlPlan | undefined,
    private readonly host: AgentCallControlHost,
  ) {}

  /** The names the agent may transfer to (empty when none). */
  get targetNames(): string[] {
    return Object.keys(this.plan?.targets ?? {});
  }

  /** The transfer under way (dialling), if any. */
  get dialing(): CallTransfer | undefined {
    const last = this.transfers[this.transfers.length - 1];
    return last?.state === 'dialing' ? last : undefined;
  }

  /**
   * `end_call`: the call ends once the agent's last words have played. Returns the tool's result for
   * the model; throws (an error response) when the call is already ending or transferring.
   */
  hangUp(): string {
    this.claim('hang-up');
    this.afterPlayout(() => this.host.end('agent-hangup'));
    return 'The call ends as soon as your last words have played.';
  }

  /**
   * `transfer_call`: once the agent's last words have played, the call is redirected to dial the
   * profile's `target`; the person answering hears `summary` (clipped to SUMMARY_MAX characters).
   * Returns the tool's result; throws (an error response naming the allowed targets) for a target
   * outside the profile, and when transfers are unavailable or one is already under way.
   */
  transfer(target: string, reason: string, summary: string): string {
    const targets = this.plan?.targets ?? {};
    const to = Object.hasOwn(targets, target) ? targets[target] : undefined;
    if (to === undefined) {
      controlMetrics.transfers.inc({ outcome: 'refused' });
      const names = this.targetNames;
      throw new Error(
        names.length
          ? `Unknown transfer target "${target}": choose one of ${names.join(', ')}`
          : 'This line has no transfer targets',
      );
    }
    if (this.plan?.transferUnavailable)
      throw new Error(
        `Transfers are unavailable: ${this.plan.transferUnavailable}`,
      );
    this.claim('transfer');
    const transfer: CallTransfer = {
      target,
      to,
      reason,
      state: 'dialing',
      at: new Date().toISOString(),
    };
    // By code points: a cut never leaves half of a surrogate pair (an emoji) behind.
    const whisper = Array.from(summary.trim()).slice(0, SUMMARY_MAX).join('');
    this.afterPlayout(() => this.dial(transfer, whisper));
    return `Transferring the caller to ${target} as soon as you stop speaking. If you have not yet, tell them in one short sentence that you are connecting them now.`;
  }

  /** The transfer's whisper was requested: the person answered, so the call is theirs now. */
  answered(): void {
    if (this.markAnswered()) void this.host.end('transferred');
  }

  /** Records the dialling transfer as answered; false when none was dialling. */
  markAnswered(): boolean {
    const transfer = this.dialing;
    if (!transfer) return false;
    transfer.state = 'answered';
    this.settle(transfer, 'answered');
    return true;
  }

  /**
   * The transfer's dial ended with Twilio's DialCallStatus. Returns true when the caller comes back
   * to the agent (nobody took the call; the next stream's session is told why: takeReturnNote);
   * false otherwise (the person answered, or no transfer was dialling here).
   */
  dialEnded(dialStatus: string): boolean {
    const transfer = this.dialing;
    if (!transfer) return false;
    transfer.dialStatus = dialStatus;
    const why = DIAL_FAILURES[dialStatus];
    if (why === undefined) {
      this.answered();
      return false;
    }
    transfer.state = 'not-answered';
    this.settle(transfer, 'not-answered');
    this.pending = undefined;
    this.returnNote = `The transfer to ${transfer.target} did not go through: ${why}. The caller is back on the line with you. Tell them, and offer to help another way.`;
    return true;
  }

  /**
   * The call ends for `reason` while a transfer is still dialling (the caller hung up while it rang,
   * an operator ended the call, its maximum duration…): the transfer is recorded not answered, so no
   * record is left saying `dialing`.
   */
  abandon(reason: CallEndReason): void {
    const transfer = this.dialing;
    if (!transfer) return;
    transfer.state = 'not-answered';
    this.settle(transfer, `abandoned`, `call ended: ${reason}`);
    // Twilio is still ringing the target for a caller this service gave up on (max duration, the
    // guard, shutdown): end it there too, or the person could answer a call nobody tracks. A caller
    // who hung up needs nothing; an admin end has hung up already (a second hang-up is a no-op).
    if (reason !== 'caller-hangup' && this.plan)
      this.host.boundary.track('transfer-hang-up', this.plan.hangUp());
  }

  /**
   * True between a dial nobody took and the caller's return stream: a retried `<Dial action>` request
   * (Twilio retries when an answer is lost) must bring the caller back again, not hang up.
   */
  get awaitingReturn(): boolean {
    return this.returnNote !== undefined;
  }

  /** What a returning caller's new agent session is told first (once), if the caller came back. */
  takeReturnNote(): string | undefined {
    const note = this.returnNote;
    this.returnNote = undefined;
    return note;
  }

  /** Only one hang-up or transfer at a time, and only on a call with a live stream. */
  private claim(kind: 'hang-up' | 'transfer'): void {
    if (this.pending)
      throw new Error(
        `The call is already ${this.pending === 'hang-up' ? 'ending' : 'being transferred'}`,
      );
    if (!this.host.bridge()) throw new Error('The call has no live stream');
    this.pending = kind;
  }

  private afterPlayout(then: () => unknown): void {
    const since = performance.now();
    const { timers } = this.host;
    const act = (): void => {
      timers.clear('playout');
      timers.clear('playout-max');
      const result = then();
      if (result instanceof Promise)
        this.host.boundary.track('call-control', result);
    };
    timers.every('playout', PLAYOUT_POLL_MS, () => {
      const bridge = this.host.bridge();
      if (!bridge || bridge.playedOut(since, QUIET_MS)) act();
    });
    timers.after('playout-max', PLAYOUT_MAX_MS, act);
  }

  private async dial(transfer: CallTransfer, summary: string): Promise<void> {
    if (!this.plan || !this.host.beginTransfer()) {
      this.pending = undefined;
      return;
    }
    this.transfers.push(transfer);
    this.host.note(`transfer to ${transfer.target} (${transfer.to}): dialing`);
    this.record();
    const guardMs = this.plan.ringSeconds * 1000 + TRANSFER_GUARD_MS;
    this.host.timers.after('transfer', guardMs, () => {
      this.host
        .log()
        .warn('No word from Twilio on the transfer; ending the call');
      return this.host.end('error');
    });
    try {
      await this.plan.redirect(transfer.to, summary);
      this.host.log().info('Call redirected to its transfer target', {
        target: transfer.target,
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.host.timers.clear('transfer');
      transfer.state = 'not-answered';
      transfer.dialStatus = 'failed';
      this.settle(transfer, 'not-started');
      this.pending = undefined;
      this.host.log().warn('Transfer could not start', { err: why });
      if (this.host.cancelTransfer())
        this.host.tellAgent(
          `The transfer to ${transfer.target} could not be started. The caller is still on the line with you: tell them, and offer to help another way.`,
        );
    }
  }

  /** A transfer reached its outcome: transcript, metric, record. */
  private settle(transfer: CallTransfer, outcome: string, why?: string): void {
    this.host.timers.clear('transfer');
    controlMetrics.transfers.inc({ outcome });
    const detail = why ?? transfer.dialStatus;
    const status = detail ? ` (${detail})` : '';
    this.host.note(
      `transfer to ${transfer.target}: ${transfer.state}${status}`,
    );
    this.record();
  }

  private record(): void {
    this.host.boundary.track(
      'transfer-record',
      this.host.recordTransfers(this.transfers.map((t) => ({ ...t }))),
    );
  }
}
