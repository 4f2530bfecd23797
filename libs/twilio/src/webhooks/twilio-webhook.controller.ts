import { CallsService } from '@app/call-manager';
import {
  Body,
  Controller,
  Header,
  HttpCode,
  Logger,
  Post,
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';
import { PendingSessions } from '../bridge/pending-sessions.service';
import { StreamTokenService } from '../media-stream/stream-token.service';
import { TwilioSignatureGuard } from '../signature/twilio-signature.guard';
import { TwilioSignatureVerifier } from '../signature/twilio-signature.verifier';
import { TwimlBuilder } from '../twiml/twiml.builder';
import { CallStatusDto, IncomingCallDto } from './twilio-webhook.dto';

const FINAL_STATUSES = new Set([
  'completed',
  'busy',
  'failed',
  'no-answer',
  'canceled',
]);
/** Twilio posts many more fields than the DTOs name: validate ours, keep the rest out of the way. */
const twilioBody = new ValidationPipe({
  transform: true,
  whitelist: true,
  forbidNonWhitelisted: false,
});

/** Twilio's voice webhooks, signature-checked. */
@Controller()
@UseGuards(TwilioSignatureGuard)
export class TwilioWebhookController {
  private readonly logger = new Logger(TwilioWebhookController.name);

  constructor(
    private readonly calls: CallsService,
    private readonly pending: PendingSessions,
    private readonly tokens: StreamTokenService,
    private readonly twiml: TwimlBuilder,
    private readonly verifier: TwilioSignatureVerifier,
  ) {}

  /** Reserves the call, starts the Gemini session at once, and connects the call to the media stream. */
  @Post('incoming-call')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml')
  async incomingCall(@Body(twilioBody) body: IncomingCallDto): Promise<string> {
    const callSid = body.CallSid;
    const result = await this.calls.reserve({
      callSid,
      from: body.From ?? '',
      to: body.To ?? '',
    });
    if (result === 'unavailable') {
      this.logger.warn({
        callSid,
        msg: 'Shutting down: call refused with an apology',
      });
      return this.twiml.unavailable();
    }
    if (result === 'at-capacity') {
      this.logger.warn({
        callSid,
        msg: 'At capacity: call refused with an apology',
      });
      return this.twiml.busy();
    }
    // A retried webhook for a call whose stream is already up must not open a second session.
    const streaming =
      result === 'duplicate' &&
      (await this.calls.get(callSid))?.status !== 'ringing';
    const caller = { from: body.From ?? '', to: body.To ?? '' };
    if (!streaming) this.pending.open(callSid, caller);
    this.logger.log({
      callSid,
      msg: result === 'duplicate' ? 'Webhook retried' : 'Incoming call',
    });
    return this.twiml.connectStream(this.verifier.streamUrl, {
      callSid,
      from: caller.from,
      to: caller.to,
      token: this.tokens.issue(callSid),
    });
  }

  /** Status callback: updates the record, ends a call that Twilio says is over. */
  @Post('call-status')
  @HttpCode(204)
  async callStatus(@Body(twilioBody) body: CallStatusDto): Promise<void> {
    const duration =
      body.CallDuration === undefined ? undefined : Number(body.CallDuration);
    if (FINAL_STATUSES.has(body.CallStatus)) this.pending.discard(body.CallSid);
    await this.calls.recordStatus(body.CallSid, body.CallStatus, duration);
  }
}
