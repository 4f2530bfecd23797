import type { CallEndReason } from '../call.types';

/** "End this call": sent to the instance that holds it. */
export interface EndCallRequest {
  callSid: string;
  reason: CallEndReason;
}

export type EndCallHandler = (request: EndCallRequest) => Promise<void>;

/**
 * Carries requests between the instances that share a call registry: today, asking the instance
 * that holds a call (its registry `instanceId`) to end it. Local (single instance, nothing to
 * carry) or Redis pub/sub. Provided under CALL_ROUTER (call-router.constants.ts).
 */
export interface CallRouter {
  /** This instance's id: the same one its registry stamps on the calls it holds. */
  readonly instanceId: string;
  /** How long to wait for the owner to end a call it was asked to end, before ending it here. */
  readonly endTimeoutMs: number;
  /** Sets the handler for end requests sent to this instance (a later one replaces it). */
  onEndRequest(handler: EndCallHandler): void;
  /**
   * Sends an end request to `instanceId`. Resolves true if that instance is listening (it got the
   * request), false if none is (it is gone). Rejects if the request could not be sent.
   */
  sendEndRequest(instanceId: string, request: EndCallRequest): Promise<boolean>;
}
