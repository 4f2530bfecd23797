import { createResampler } from '../dsp/create-resampler';
import { dspMemory } from '../dsp/dsp-memory';
import { Resampler } from '../dsp/resampler';
import { PayloadBuffer } from './audio-payload';

/** Twilio's media rate (8 kHz μ-law) and Gemini's input rate (16 kHz PCM16). */
export const TWILIO_RATE = 8000;
export const GEMINI_INPUT_RATE = 16000;

/**
 * One call's caller → agent direction: base64 μ-law 8 kHz in, base64 PCM16LE 16 kHz out.
 * The payload is decoded into DSP memory, expanded straight into the filter's history, and the filter
 * writes PCM16 where the base64 encoder reads it: two native base64 passes and three kernel calls per
 * frame, with no allocation besides the returned string.
 */
export class CallerAudioPipeline {
  private readonly resampler: Resampler;
  private readonly codes = new PayloadBuffer(512);
  private readonly pcm = new PayloadBuffer(2048);

  constructor(outputRate = GEMINI_INPUT_RATE) {
    this.resampler = createResampler(TWILIO_RATE, outputRate);
  }

  get outputRate(): number {
    return this.resampler.outRate;
  }

  get delayMs(): number {
    return this.resampler.delayMs;
  }

  /** Converts one Twilio `media.payload`; returns '' for an empty payload. */
  process(payload: string): string {
    const count = this.codes.decodeBase64(payload);
    if (count === 0) return '';
    const resampler = this.resampler;
    const memory = dspMemory();
    const index = resampler.reserve(count);
    memory.kernels.ulawToF32(
      this.codes.ptr,
      count,
      memory.ulawDecodeTable,
      index << 2,
    );
    this.pcm.ensure(resampler.maxOutput(count) * 2);
    const produced = resampler.commit(count, this.pcm.ptr);
    return this.pcm.encodeBase64(produced * 2);
  }

  reset(): void {
    this.resampler.reset();
  }

  /** Returns the call's DSP memory; call once when the call ends. */
  dispose(): void {
    this.resampler.dispose();
    this.codes.dispose();
    this.pcm.dispose();
  }
}
