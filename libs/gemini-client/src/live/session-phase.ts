/**
 * Where a ResilientLiveSession is between connections:
 * - `switching`: a connection is being opened (the first, a goAway switch, a reconnect); caller input
 *   waits in the replay buffer; an old connection, if any, still plays what it has;
 * - `serving`: one ready connection takes everything;
 * - `draining`: the serving connection got `goAway`; it keeps serving until a safe point (or until
 *   time is nearly spent), and failed switches are retried meanwhile;
 * - `backoff`: no connection serves; a reconnect is scheduled;
 * - `closed`: over for good (`closed` emitted once).
 */
export type SessionPhase =
  'switching' | 'serving' | 'draining' | 'backoff' | 'closed';

const TRANSITIONS: Record<SessionPhase, readonly SessionPhase[]> = {
  switching: ['serving', 'draining', 'backoff', 'closed'],
  serving: ['draining', 'backoff', 'closed'],
  draining: ['draining', 'switching', 'backoff', 'closed'],
  backoff: ['switching', 'closed'],
  closed: [],
};

/** The session's phase; any change outside the table is a bug and throws (inside the fault boundary). */
export class PhaseMachine {
  private current: SessionPhase = 'switching';

  get value(): SessionPhase {
    return this.current;
  }

  /** Caller input goes straight to the serving connection in these phases. */
  get serving(): boolean {
    return this.current === 'serving' || this.current === 'draining';
  }

  to(phase: SessionPhase): void {
    if (!TRANSITIONS[this.current].includes(phase))
      throw new Error(`continuity: no transition ${this.current} → ${phase}`);
    this.current = phase;
  }

  /** Every phase may end. */
  close(): void {
    this.current = 'closed';
  }
}
