import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
} from '@nestjs/common';
import type { Request } from 'express';
import { TwilioSignatureVerifier } from './twilio-signature.verifier';

/**
 * Rejects webhook requests without a valid X-Twilio-Signature with 403 and a reason. Applied by
 * `@TwilioSigned()`; the verdict comes from the verifier's per-request cache.
 */
@Injectable()
export class TwilioSignatureGuard implements CanActivate {
  constructor(private readonly verifier: TwilioSignatureVerifier) {}

  canActivate(context: ExecutionContext): boolean {
    const disabled = this.verifier.disabledReason;
    if (disabled) throw new ForbiddenException(disabled);
    const request = context.switchToHttp().getRequest<Request>();
    if (!this.verifier.verifyRequest(request)) {
      throw new ForbiddenException('Invalid or missing X-Twilio-Signature');
    }
    return true;
  }
}
