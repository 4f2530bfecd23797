export * from './media-stream/twilio-messages';
export { parseTwilioMessage } from './media-stream/twilio-message.parser';
export { TwilioModule, TwilioModuleAsyncOptions } from './twilio.module';
export {
  MEDIA_STREAM_PATH,
  TWILIO_OPTIONS,
  TwilioOptions,
} from './twilio.options';
export {
  CallRedirectError,
  TwilioCallControl,
  TwilioRestOptions,
} from './rest/twilio-call-control';
export { TwilioRestModule } from './rest/twilio-rest.module';
export { RebasedRequestClient } from './rest/rebased-request-client';
export {
  OutboundCallRequest,
  TwilioDialError,
  TwilioDialFailure,
  TwilioOutboundDialer,
} from './rest/twilio-outbound-dialer';
export {
  TwilioSignatureVerifier,
  type TwilioWebhookRequest,
} from './signature/twilio-signature.verifier';
export { TwilioSignatureGuard } from './signature/twilio-signature.guard';
export {
  TWILIO_SIGNED,
  TwilioSigned,
} from './signature/twilio-signed.decorator';
export { TransferDial, TwimlBuilder } from './twiml/twiml.builder';
export { TwilioWebhookController } from './webhooks/twilio-webhook.controller';
export { ANSWERED_BY_VALUES } from './webhooks/twilio-webhook.dto';
export {
  AmdStatusUpdate,
  CallStatusUpdate,
  IncomingCall,
  IncomingCallAnswer,
  TransferDialAnswer,
  TransferDialUpdate,
  TWILIO_CALL_HANDLER,
  TwilioCallHandler,
} from './webhooks/twilio-call.handler';
