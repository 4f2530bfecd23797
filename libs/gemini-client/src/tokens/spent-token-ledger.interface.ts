/**
 * Which one-time tokens have been used. Tokens are stateless and signed (OneTimeTokens); the ledger
 * only remembers the ids of the spent ones until they expire, so that each is used once. Shared
 * by every instance (Redis), a token is used once across all of them; in memory, once per process.
 */
export interface SpentTokenLedger {
  /**
   * Marks the token `id` spent until `expiresAtMs` (epoch ms; the token's own expiry), as one
   * atomic step. Resolves true for the first spend of `id`, false if it was spent before (here or
   * on any instance sharing the ledger). Rejects when the ledger cannot be reached: the caller
   * must then refuse the token (fail closed).
   */
  spend(id: string, expiresAtMs: number): Promise<boolean>;
}
