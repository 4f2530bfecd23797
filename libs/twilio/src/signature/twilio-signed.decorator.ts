import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { TwilioSignatureGuard } from './twilio-signature.guard';

/**
 * Metadata key set by `@TwilioSigned()` on a controller or handler. Read it with
 * `Reflector.getAllAndOverride(TWILIO_SIGNED, [context.getHandler(), context.getClass()])`.
 */
export const TWILIO_SIGNED = 'twilio:signed';

/**
 * Marks a controller or route as a Twilio webhook: every request must carry a valid
 * X-Twilio-Signature (TwilioSignatureGuard answers 403 with a reason otherwise). The marker lets
 * code that runs before the guard, such as an app's global rate limiter, tell Twilio's routes apart
 * and ask `TwilioSignatureVerifier.verifyRequest()` for the same, cached, verdict.
 */
export function TwilioSigned(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(TWILIO_SIGNED, true),
    UseGuards(TwilioSignatureGuard),
  );
}
