/** Optional injection token for the router between instances (interface CallRouter). */
export const CALL_ROUTER = 'CALL_ROUTER';

/** How long an instance waits for another to end a call it holds (CallRouter.endTimeoutMs). */
export const DEFAULT_END_TIMEOUT_MS = 3000;
