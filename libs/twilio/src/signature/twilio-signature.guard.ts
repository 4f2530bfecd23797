import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  Logger,
} from '@nestjs/common';
import type { Request } from 'express';
import { TwilioSignatureVerifier } from './twilio-signature.verifier';

/** What to check when Twilio's signature does not match (the usual cause, in an operator's words). */
export const SIGNATURE_MISMATCH_HINT =
  'Twilio signs the exact URL it calls: check that WEBHOOK_BASE_URL is the public origin configured ' +
  "as the number's webhook (scheme, host, port; no trailing slash) and that TWILIO_AUTH_TOKEN is that " +
  "account's auth token";

/**
 * Rejects webhook requests without a valid X-Twilio-Signature with 403 and a reason. Applied by
 * `@TwilioSigned()`; the verdict comes from the verifier's per-request cache. A refusal is logged at
 * warn with the URL the signature was checked against and what to check (never the signature or the
 * token); failed checks are throttled per client by the rate limiter, so the log cannot be flooded.
 */
@Injectable()
export class TwilioSignatureGuard implements CanActivate {
  private readonly logger = new Logger(TwilioSignatureGuard.name);

  constructor(private readonly verifier: TwilioSignatureVerifier) {}

  canActivate(context: ExecutionContext): boolean {
    const disabled = this.verifier.disabledReason;
    if (disabled) throw new ForbiddenException(disabled);
    const request = context.switchToHttp().getRequest<Request>();
    if (!this.verifier.verifyRequest(request)) {
      const signed = typeof request.headers['x-twilio-signature'] === 'string';
      this.logger.warn({
        msg: signed
          ? `Webhook signature mismatch: refused with 403. ${SIGNATURE_MISMATCH_HINT}`
          : 'Webhook without X-Twilio-Signature: refused with 403 (not sent by Twilio?)',
        checkedUrl: this.verifier.signedUrl(request.originalUrl),
        problem: signed ? 'signature mismatch' : 'signature missing',
      });
      throw new ForbiddenException('Invalid or missing X-Twilio-Signature');
    }
    return true;
  }
}
