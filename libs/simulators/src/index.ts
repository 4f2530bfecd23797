export {
  GeminiLiveEmulator,
  GEMINI_LIVE_PATH,
  VERTEX_LIVE_PATH,
} from './gemini/gemini-live.emulator';
export { EmulatedLiveSession } from './gemini/emulated-live.session';
export type { SessionRequest } from './gemini/emulated-live.session';
export type { ReplyRecord } from './gemini/gemini-agent.engine';
export type {
  ClientMessage,
  CloseInfo,
  FunctionResponse,
  GeminiLiveEmulatorOptions,
  RealtimeInput,
  ReplyContext,
  ReplySpec,
  SessionCredential,
  SetupMessage,
} from './gemini/gemini-live.types';
export { TwilioCallSimulator } from './twilio/twilio-call.simulator';
export { StreamMessageFactory } from './twilio/stream-message.factory';
export {
  callParams,
  TwilioWebhookClient,
} from './twilio/twilio-webhook.client';
export type { CallIdentity } from './twilio/stream-message.factory';
export type {
  MarkEvent,
  PlaceCallResult,
  SimulatorProbe,
  StreamClose,
  StreamMessage,
  TwilioCallSimulatorOptions,
  WebhookResponse,
} from './twilio/twilio-call.types';
export { FakeTwilioApi } from './twilio/fake-twilio-api';
export { FakeTwilioCall } from './twilio/fake-twilio-call';
export type {
  CallbackRecord,
  CalleeScript,
  DialHandler,
  DialOutcome,
  DialRequest,
  DialTarget,
  FakeAnsweredBy,
  FakeCallStatus,
  FakeTwilioApiOptions,
  RestRequestRecord,
  TwilioApiError,
} from './twilio/fake-twilio-api.types';
export { TwimlRunner } from './twilio/twiml.runner';
export type { TwimlOutcome, TwimlRunHost } from './twilio/twiml.runner';
export { parseTwiml } from './twilio/twiml.parser';
export type { ParsedTwiml, TwimlStream } from './twilio/twiml.parser';
export { decodeWav, encodeWav, readWav, writeWav } from './wav';
export type { WavAudio } from './wav';
export {
  base64ToInt16,
  int16ToBase64,
  mulawToPcm,
  pcmToMulaw,
  rmsInt16,
  toneAmplitude,
  toneInt16,
} from './audio/pcm.util';
export {
  BUILT_MAIN,
  freePort,
  SIMULATED_DATABASE_URL,
  SOURCE_MAIN,
  startServiceProcess,
} from './service/service.process';
export type { ServiceProcess } from './service/service.process';
export {
  simulateCall,
  parseArgs as parseSimulateCallArgs,
} from './cli/simulate-call';
export type { SimulateCallArgs } from './cli/simulate-call';
export {
  DEFAULT_EMULATOR_API_KEY,
  parseEmulatorArgs,
  runEmulator,
} from './cli/emulator';
export type { EmulatorArgs } from './cli/emulator';
