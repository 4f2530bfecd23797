import {
  Body,
  Controller,
  Header,
  HttpCode,
  Inject,
  Post,
  Query,
  ValidationPipe,
} from '@nestjs/common';
import { TwilioSigned } from '../signature/twilio-signed.decorator';
import { TwilioSignatureVerifier } from '../signature/twilio-signature.verifier';
import { TwimlBuilder } from '../twiml/twiml.builder';
import {
  TWILIO_CALL_HANDLER,
  type TwilioCallHandler,
} from './twilio-call.handler';
import {
  AmdStatusDto,
  CallStatusDto,
  IncomingCallDto,
  TransferStatusDto,
  TransferWhisperQuery,
} from './twilio-webhook.dto';

/** Twilio posts many more fields than the DTOs name: validate ours, keep the rest out of the way. */
const twilioBody = new ValidationPipe({
  transform: true,
  whitelist: true,
  forbidNonWhitelisted: false,
});

/**
 * Twilio's voice webhooks, signature-checked (403 with a reason) and validated (400 with a reason).
 * What happens to a call is the TWILIO_CALL_HANDLER's business; this class speaks Twilio only.
 * `@TwilioSigned()` covers every route here, including ones added later.
 */
@Controller()
@TwilioSigned()
export class TwilioWebhookController {
  constructor(
    @Inject(TWILIO_CALL_HANDLER) private readonly handler: TwilioCallHandler,
    private readonly twiml: TwimlBuilder,
    private readonly verifier: TwilioSignatureVerifier,
  ) {}

  /** TwiML that connects the call to the media stream, or a spoken apology and hang-up. */
  @Post('incoming-call')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml')
  async incomingCall(@Body(twilioBody) body: IncomingCallDto): Promise<string> {
    const answer = await this.handler.incomingCall({
      callSid: body.CallSid,
      from: body.From ?? '',
      to: body.To ?? '',
    });
    switch (answer.action) {
      case 'busy':
        return this.twiml.busy();
      case 'unavailable':
        return this.twiml.unavailable();
      case 'connect':
        return this.twiml.connectStream(
          this.verifier.streamUrl,
          answer.parameters,
        );
    }
  }

  /** Status callback: 204 once the handler has recorded it. */
  @Post('call-status')
  @HttpCode(204)
  async callStatus(@Body(twilioBody) body: CallStatusDto): Promise<void> {
    const duration =
      body.CallDuration === undefined ? undefined : Number(body.CallDuration);
    await this.handler.callStatus({
      callSid: body.CallSid,
      status: body.CallStatus,
      durationSeconds: duration,
    });
  }

  /**
   * Asynchronous answering-machine detection of an outbound call (`AsyncAmdStatusCallback` of
   * `POST /calls`): 204 once the handler has acted on it.
   */
  @Post('amd-status')
  @HttpCode(204)
  async amdStatus(@Body(twilioBody) body: AmdStatusDto): Promise<void> {
    await this.handler.amdStatus({
      callSid: body.CallSid,
      answeredBy: body.AnsweredBy,
      detectionMs:
        body.MachineDetectionDuration === undefined
          ? undefined
          : Number(body.MachineDetectionDuration),
    });
  }

  /**
   * A transfer's whisper (`<Number url>`, built by the service with the summary in its query and
   * signed by Twilio): the person answered. The TwiML says the summary to them before they are
   * connected to the caller.
   */
  @Post('transfer-whisper')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml')
  async transferWhisper(
    @Query(twilioBody) query: TransferWhisperQuery,
  ): Promise<string> {
    await this.handler.transferAnswered(query.callSid);
    return this.twiml.whisper(query.summary);
  }

  /**
   * A transfer's `<Dial action>`: the dial ended. Nobody answered → the caller goes back to the agent
   * (a new stream); otherwise → hang up.
   */
  @Post('transfer-status')
  @HttpCode(200)
  @Header('Content-Type', 'text/xml')
  async transferStatus(
    @Body(twilioBody) body: TransferStatusDto,
  ): Promise<string> {
    const answer = await this.handler.transferEnded({
      callSid: body.CallSid,
      dialStatus: body.DialCallStatus,
      durationSeconds:
        body.DialCallDuration === undefined
          ? undefined
          : Number(body.DialCallDuration),
    });
    return answer.action === 'connect'
      ? this.twiml.connectStream(this.verifier.streamUrl, answer.parameters)
      : this.twiml.hangup();
  }
}
