/**
 * A call's life in this process:
 * - `reserved`: the webhook was answered (slot taken, record created, early Gemini session opening);
 * - `connecting`: a media stream started and is being claimed for the call (audio already flows);
 * - `live`: the stream is the call's, in the registry too;
 * - `goodbye`: a last prompt (the apology) is playing; nothing else goes to the caller;
 * - `transferring`: the agent handed the caller to a person (`transfer_call`): Twilio dials them, the
 *   stream is gone; the call comes back `connecting` on a new stream if nobody answers;
 * - `ending`: sockets, session, timers and DSP memory are being released, the final record written;
 * - `ended`: nothing of the call is left in this process.
 */
export type CallState =
  | 'reserved'
  | 'connecting'
  | 'live'
  | 'goodbye'
  | 'transferring'
  | 'ending'
  | 'ended';

/** The legal transitions: every end path goes through `ending`, exactly once. */
const LEGAL: Readonly<Record<CallState, readonly CallState[]>> = {
  reserved: ['connecting', 'ending'],
  connecting: ['live', 'goodbye', 'ending'],
  live: ['goodbye', 'transferring', 'ending'],
  // `live` again when the redirect could not start (the stream is still up).
  transferring: ['connecting', 'live', 'ending'],
  goodbye: ['ending'],
  ending: ['ended'],
  ended: [],
};

/** One call's state; `to()` refuses (returns false) any transition the table does not allow. */
export class CallStateMachine {
  private current: CallState = 'reserved';

  get state(): CallState {
    return this.current;
  }

  /** Moves to `next` if legal from the current state; false (state unchanged) otherwise. */
  to(next: CallState): boolean {
    if (!LEGAL[this.current].includes(next)) return false;
    this.current = next;
    return true;
  }

  /** True once the call has begun to end (`ending` or `ended`). */
  get isOver(): boolean {
    return this.current === 'ending' || this.current === 'ended';
  }
}
