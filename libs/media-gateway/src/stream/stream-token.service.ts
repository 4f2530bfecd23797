import { OneTimeTokens } from '@app/gemini-client';
import { Inject, Injectable } from '@nestjs/common';
import {
  MEDIA_GATEWAY_OPTIONS,
  MediaGatewayOptions,
} from '../media-gateway.options';

/**
 * One-time, short-lived tokens that bind a media stream to the call whose webhook we answered. The
 * token travels in a TwiML `<Parameter>` and comes back in `start.customParameters`. Signed with a key
 * derived from TWILIO_AUTH_TOKEN (see OneTimeTokens), so any instance behind the load balancer accepts
 * a token another issued; a second stream for the same call on another instance is refused by the
 * registry's stream claim.
 */
@Injectable()
export class StreamTokenService {
  private readonly tokens: OneTimeTokens;

  constructor(
    @Inject(MEDIA_GATEWAY_OPTIONS)
    private readonly options: MediaGatewayOptions,
  ) {
    this.tokens = new OneTimeTokens(options.authToken, 'media-stream-token');
  }

  /** A token for `callSid`, valid for `streamTokenTtlMs`. */
  issue(callSid: string): string {
    return this.tokens.issue(callSid, this.options.streamTokenTtlMs).token;
  }

  /**
   * Outbound calls (`POST /calls`): their TwiML is sent with the REST create, before Twilio names the
   * call, so the token is bound to the dial's own random id (a `dialId` `<Parameter>` beside it),
   * valid for `ttlMs` (ms: the ring time and the stream's connect time).
   */
  issueForDial(dialId: string, ttlMs: number): string {
    return this.tokens.issue(dialSubject(dialId), ttlMs).token;
  }

  /**
   * True once for an unexpired token issued for `callSid`, or, when the stream names a `dialId`
   * (an outbound call), for that dial.
   */
  consume(
    token: string | undefined,
    callSid: string,
    dialId?: string,
  ): boolean {
    return this.tokens.consume(
      token,
      dialId === undefined ? callSid : dialSubject(dialId),
    );
  }
}

/** Dial ids and CallSids never share a subject: a CallSid never starts with `dial:`. */
function dialSubject(dialId: string): string {
  return `dial:${dialId}`;
}
