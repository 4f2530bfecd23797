import { createResampler } from '../dsp/create-resampler';
import { dspMemory } from '../dsp/dsp-memory';
import { Resampler } from '../dsp/resampler';
import { PayloadBuffer } from './audio-payload';
import { TWILIO_RATE } from './caller-audio.pipeline';
import { DEFAULT_GEMINI_OUTPUT_RATE, parsePcmRate } from './pcm-mime';

/**
 * One call's agent → caller direction: base64 PCM16LE at the rate Gemini announces (24 kHz by default)
 * in, base64 μ-law 8 kHz out. A chunk with an odd byte count keeps its last byte for the next chunk, and a
 * change of input rate switches to a resampler for that rate.
 */
export class AgentAudioPipeline {
  private resampler: Resampler;
  private readonly pcm = new PayloadBuffer(4096);
  private readonly filtered = new PayloadBuffer(1024);
  private readonly codes = new PayloadBuffer(512);
  /** A byte left over from an odd-length chunk, or −1. */
  private carry = -1;
  /** Last mimeType seen and its rate: Gemini repeats the same string on every chunk. */
  private lastMimeType: string | undefined = '';
  private lastMimeRate = DEFAULT_GEMINI_OUTPUT_RATE;

  constructor(inputRate = DEFAULT_GEMINI_OUTPUT_RATE) {
    this.resampler = createResampler(inputRate, TWILIO_RATE);
  }

  get inputRate(): number {
    return this.resampler.inRate;
  }

  get delayMs(): number {
    return this.resampler.delayMs;
  }

  /** Converts one Gemini `inlineData` part, taking the rate from its mimeType. */
  processInlineData(data: string, mimeType: string | undefined): string {
    if (mimeType !== this.lastMimeType) {
      this.lastMimeRate = parsePcmRate(mimeType);
      this.lastMimeType = mimeType;
    }
    return this.process(data, this.lastMimeRate);
  }

  /** Converts one chunk of base64 PCM16LE at `inputRate`; returns '' when it yields no output yet. */
  process(data: string, inputRate = DEFAULT_GEMINI_OUTPUT_RATE): string {
    if (inputRate !== this.resampler.inRate) {
      this.resampler.dispose();
      this.resampler = createResampler(inputRate, TWILIO_RATE);
      this.carry = -1;
    }
    const memory = dspMemory();
    const head = this.carry >= 0 ? 1 : 0;
    const byteLength = head + this.pcm.decodeBase64(data, head);
    if (head) memory.bytes[this.pcm.ptr] = this.carry;
    const count = byteLength >> 1;
    this.carry =
      byteLength & 1 ? memory.bytes[this.pcm.ptr + byteLength - 1] : -1;
    if (count === 0) return '';

    const resampler = this.resampler;
    const index = resampler.reserve(count);
    memory.kernels.i16ToF32(this.pcm.ptr, count, index << 2);
    const capacity = resampler.maxOutput(count);
    this.filtered.ensure(capacity * 2);
    this.codes.ensure(capacity);
    const produced = resampler.commit(count, this.filtered.ptr);
    if (produced === 0) return '';
    memory.kernels.i16ToUlaw(
      this.filtered.ptr,
      produced,
      memory.ulawEncodeTable,
      this.codes.ptr,
    );
    return this.codes.encodeBase64(produced);
  }

  /** Drops filter history and any carried byte: call on barge-in so stale speech does not leak out. */
  reset(): void {
    this.resampler.reset();
    this.carry = -1;
  }

  /** Returns the call's DSP memory; call once when the call ends. */
  dispose(): void {
    this.resampler.dispose();
    this.pcm.dispose();
    this.filtered.dispose();
    this.codes.dispose();
  }
}
