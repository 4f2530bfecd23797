import { AdminGuard } from '@app/call-manager';
import {
  Body,
  Controller,
  HttpCode,
  Post,
  UseGuards,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { DialOutDto } from './dial-out.dto';
import { OutboundCalls } from './outbound-calls.service';

/**
 * `POST /calls` (admin, Bearer ADMIN_API_KEY): dials out. Beside the Twilio webhooks in the media
 * gateway rather than in the call manager's admin API, because placing a call needs what only this
 * library ties together: agent profiles, Twilio REST and TwiML, the stream token and a CallLifecycle
 * waiting for answering-machine detection; the call manager must stay free of Twilio and Gemini.
 * The app's rate limiter counts it like every admin route (per client, before authentication).
 */
@Controller()
@UseGuards(AdminGuard)
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }))
export class OutboundCallsController {
  constructor(private readonly outbound: OutboundCalls) {}

  /**
   * Body `{"to": "+1…" | "sip:…", "profile"?: "<profile name>", "from"?: "+1…"}` → 201
   * `{"callSid": "CA…"}`. 400 with the reason (bad number, unknown profile, no `from`, Twilio refused
   * the number), 401/403 (admin key), 429 (rate limit), 502 (Twilio unreachable or refused our
   * credentials), 503 (at capacity, shutting down, Twilio not configured).
   */
  @Post('calls')
  @HttpCode(201)
  dial(@Body() body: DialOutDto): Promise<{ callSid: string }> {
    return this.outbound.dial(body);
  }
}
