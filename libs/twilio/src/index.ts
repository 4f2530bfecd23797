export * from './media-stream/twilio-messages';
export { parseTwilioMessage } from './media-stream/twilio-message.parser';
export { TwilioModule, TwilioModuleAsyncOptions } from './twilio.module';
export {
  MEDIA_STREAM_PATH,
  TWILIO_OPTIONS,
  TwilioOptions,
} from './twilio.options';
export {
  TwilioCallControl,
  TwilioRestOptions,
} from './rest/twilio-call-control';
export { TwilioRestModule } from './rest/twilio-rest.module';
export { TwilioSignatureVerifier } from './signature/twilio-signature.verifier';
export { CallBridge } from './bridge/call-bridge';
