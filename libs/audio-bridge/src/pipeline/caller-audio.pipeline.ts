import { createResampler } from '../dsp/create-resampler';
import { dspMemory } from '../dsp/dsp-memory';
import { Resampler } from '../dsp/resampler';
import { PayloadBuffer } from './audio-payload';

/** Twilio's media rate (8 kHz μ-law) and Gemini's input rate (16 kHz PCM16). */
export const TWILIO_RATE = 8000;
export const GEMINI_INPUT_RATE = 16000;
/** Twilio's media frame length (ms): the default upstream frame, one message per Twilio frame. */
export const TWILIO_FRAME_MS = 20;

/**
 * One call's caller → agent direction: base64 μ-law 8 kHz in, base64 PCM16LE 16 kHz out.
 * The payload is decoded into DSP memory, expanded straight into the filter's history, and the filter
 * writes PCM16 where the base64 encoder reads it: two native base64 passes and three kernel calls per
 * frame, with no allocation besides the returned string.
 *
 * With `frameMs` above Twilio's 20 ms, the PCM of consecutive frames is gathered in place and handed
 * out once `frameMs` of caller audio is in (one upstream message per `frameMs`: fewer messages and
 * writes, at up to `frameMs − 20` ms more latency towards Gemini); `flush()` hands out a partial batch.
 */
export class CallerAudioPipeline {
  private readonly resampler: Resampler;
  private readonly codes = new PayloadBuffer(512);
  private readonly pcm = new PayloadBuffer(2048);
  /** Input samples (8 kHz) per upstream message; 0: every frame goes out on its own. */
  private readonly batchSamples: number;
  /** PCM bytes of the batch gathered so far, and the input samples they came from. */
  private pendingBytes = 0;
  private pendingSamples = 0;

  /**
   * `outputRate`: Gemini's input rate (Hz). `frameMs`: upstream message length (ms, a multiple of
   * 20 from 20; 20 sends each Twilio frame as it comes).
   */
  constructor(outputRate = GEMINI_INPUT_RATE, frameMs = TWILIO_FRAME_MS) {
    if (frameMs < TWILIO_FRAME_MS || frameMs % TWILIO_FRAME_MS !== 0)
      throw new RangeError(
        `upstream frame must be a multiple of 20 ms (got ${frameMs})`,
      );
    this.resampler = createResampler(TWILIO_RATE, outputRate);
    this.batchSamples =
      frameMs > TWILIO_FRAME_MS ? (frameMs * TWILIO_RATE) / 1000 : 0;
  }

  get outputRate(): number {
    return this.resampler.outRate;
  }

  get delayMs(): number {
    return this.resampler.delayMs;
  }

  /** Input audio (ms) converted but not yet handed out (always 0 with 20 ms frames). */
  get pendingMs(): number {
    return (this.pendingSamples * 1000) / TWILIO_RATE;
  }

  /**
   * Converts one Twilio `media.payload`; returns the base64 PCM to send now: the frame's, or with a
   * longer upstream frame the whole batch once it is complete, else '' (also for an empty payload).
   */
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
    const at = this.pendingBytes;
    this.pcm.ensure(at + resampler.maxOutput(count) * 2, at);
    const produced = resampler.commit(count, this.pcm.ptr + at);
    if (this.batchSamples === 0) return this.pcm.encodeBase64(produced * 2);
    this.pendingBytes = at + produced * 2;
    this.pendingSamples += count;
    return this.pendingSamples >= this.batchSamples ? this.flush() : '';
  }

  /** Hands out the batch gathered so far (base64 PCM), '' when there is none. */
  flush(): string {
    const bytes = this.pendingBytes;
    this.pendingBytes = this.pendingSamples = 0;
    return bytes > 0 ? this.pcm.encodeBase64(bytes) : '';
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
