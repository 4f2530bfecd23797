export * from './media-stream/twilio-messages';
export { parseTwilioMessage } from './media-stream/twilio-message.parser';
