/**
 * Injection token for the ledger of spent browser tokens (interface SpentTokenLedger). Provided by
 * GeminiClientModule: in memory without `redisUrl`, in Redis (shared by every instance) with one.
 * Override it to keep spent tokens elsewhere.
 */
export const SPENT_TOKEN_LEDGER = 'SPENT_TOKEN_LEDGER';
