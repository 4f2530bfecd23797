import type { SpentTokenLedger } from './spent-token-ledger.interface';

/** How often (ms, at most) a spend forgets ids whose tokens have expired anyway. */
const SWEEP_EVERY_MS = 1000;

/**
 * Spent tokens in this process only: a token is used once per instance. The default with one
 * instance; with several, RedisSpentTokenLedger shares the spent set.
 */
export class InMemorySpentTokenLedger implements SpentTokenLedger {
  /** Spent ids and their tokens' expiry (epoch ms). */
  private readonly spent = new Map<string, number>();
  private lastSweep = 0;

  spend(id: string, expiresAtMs: number): Promise<boolean> {
    return Promise.resolve(this.spendNow(id, expiresAtMs));
  }

  /** spend(), synchronously; `now` (epoch ms) drives the sweep of expired ids. */
  spendNow(id: string, expiresAtMs: number, now = Date.now()): boolean {
    this.sweep(now);
    if (this.spent.has(id)) return false;
    this.spent.set(id, expiresAtMs);
    return true;
  }

  /** How many spent ids are remembered (expired ones are forgotten at the next sweep). */
  get size(): number {
    return this.spent.size;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [id, expiresAt] of this.spent)
      if (expiresAt < now) this.spent.delete(id);
  }
}
