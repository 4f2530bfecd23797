import { TWILIO_SIGNED, TwilioSignatureVerifier } from '@app/twilio';
import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request } from 'express';
import { TWILIO_FAILURE_THROTTLER } from './rate-limits.constants';

/**
 * The app's rate limiter: @nestjs/throttler's ThrottlerGuard, registered as the global APP_GUARD, so it
 * runs before every controller's own guards (AdminGuard, TwilioSignatureGuard). It keys on the client
 * address, `req.ip`: Express gives the peer address, or with `trust proxy` set (TRUST_PROXY) the
 * X-Forwarded-For entry just before the trusted proxies.
 *
 * Which throttler (rate-limits.constants.ts) applies where:
 * - Twilio webhook routes (marked `@TwilioSigned()`): only the failure budget, and only for requests
 *   that fail the signature check. A correctly signed request is let through unthrottled whatever
 *   else came from its address, so junk posted through the same proxy cannot get Twilio refused. A
 *   failing one counts and then gets TwilioSignatureGuard's 403 with a reason, or 429 once its client
 *   has spent the budget. The verifier caches its verdict per request: the HMAC is computed once.
 * - Every other route: the per-client limit, counted before authentication, so failed admin-key
 *   attempts count too.
 * - `@SkipThrottle()` routes (health, metrics), and anything that is not HTTP: never.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly verifier: TwilioSignatureVerifier,
  ) {
    super(options, storage, reflector);
  }

  /** WebSocket traffic authenticates at the handshake (and has no req.ip here): not limited. */
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(context.getType() !== 'http');
  }

  /** Called once per configured throttler: decides whether that throttler applies to this request. */
  protected override async handleRequest(
    request: ThrottlerRequest,
  ): Promise<boolean> {
    const { context, throttler } = request;
    const twilioRoute =
      this.reflector.getAllAndOverride<boolean | undefined>(TWILIO_SIGNED, [
        context.getHandler(),
        context.getClass(),
      ]) === true;
    // One throttler per route: the failure budget on Twilio's routes, the client limit elsewhere.
    if (twilioRoute !== (throttler.name === TWILIO_FAILURE_THROTTLER)) {
      return true;
    }
    const signed =
      twilioRoute &&
      this.verifier.verifyRequest(context.switchToHttp().getRequest<Request>());
    return signed || super.handleRequest(request);
  }
}
