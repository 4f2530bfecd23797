export { AudioBridgeModule } from './audio-bridge.module';
export { AudioBridgeService, CallAudioPipelines } from './audio-bridge.service';
export { MulawCodecService } from './mulaw-codec.service';
export {
  MULAW_DECODE_TABLE,
  MULAW_ENCODE_TABLE,
  MULAW_SILENCE,
  mulawDecode,
  mulawDecodeSample,
  mulawEncode,
  mulawEncodeSample,
} from './codec/mulaw.codec';
export { Resampler, resampleInt16 } from './dsp/resampler';
export { createResampler } from './dsp/create-resampler';
export { magnitudeAt } from './dsp/fir-design';
export { AgentAudioPipeline } from './pipeline/agent-audio.pipeline';
export {
  CallerAudioPipeline,
  GEMINI_INPUT_RATE,
  TWILIO_RATE,
} from './pipeline/caller-audio.pipeline';
export { InvalidAudioPayloadError } from './pipeline/audio-payload';
export { dspMemory } from './dsp/dsp-memory';
export {
  DEFAULT_GEMINI_OUTPUT_RATE,
  parsePcmRate,
  SUPPORTED_PCM_RATES,
} from './pipeline/pcm-mime';
