export { AudioBridgeModule } from './audio-bridge.module';
export {
  AUDIO_BRIDGE_OPTIONS,
  AudioBridgeOptions,
  AudioBridgeService,
  CallAudioPipelines,
} from './audio-bridge.service';
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
  TWILIO_FRAME_MS,
  TWILIO_RATE,
} from './pipeline/caller-audio.pipeline';
export { InvalidAudioPayloadError } from './pipeline/audio-payload';
export { dspMemory } from './dsp/dsp-memory';
export {
  DEFAULT_GEMINI_OUTPUT_RATE,
  parsePcmRate,
  SUPPORTED_PCM_RATES,
} from './pipeline/pcm-mime';
export {
  frameBytes,
  RECORDING_FORMAT,
  WAV_HEADER_BYTES,
  WAV_MAX_DATA_BYTES,
  wavHeader,
} from './recording/wav-header';
export type { PcmFormat } from './recording/wav-header';
export { PlaybackTimeline } from './recording/playback-timeline';
export {
  FileRecordingSink,
  RECORDING_FILE_PATTERN,
  recordingPaths,
} from './recording/recording-sink';
export type {
  RecordingMeta,
  RecordingSink,
  RecordingSinkFactory,
  RecordingStatus,
} from './recording/recording-sink';
export { RecordingWriter } from './recording/recording-writer';
export { CallRecorder } from './recording/call-recorder';
export type {
  CallRecorderOptions,
  RecordingResult,
} from './recording/call-recorder';
