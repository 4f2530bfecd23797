/**
 * The peer resampler for the benchmark: SpeexDSP's resampler compiled to WebAssembly
 * (@echogarden/speex-resampler-wasm), driven through its C API with int16 buffers in the wasm heap.
 */
interface SpeexModule {
  HEAP16: Int16Array;
  HEAPU32: Uint32Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _speex_resampler_init(
    channels: number,
    inRate: number,
    outRate: number,
    quality: number,
    errPtr: number,
  ): number;
  _speex_resampler_process_int(
    st: number,
    channel: number,
    inPtr: number,
    inLenPtr: number,
    outPtr: number,
    outLenPtr: number,
  ): number;
  _speex_resampler_get_output_latency(st: number): number;
  _speex_resampler_destroy(st: number): void;
}

type Factory = (options?: object) => Promise<SpeexModule>;

// The package is ESM-only; a real dynamic import (not TypeScript's require() rewrite) loads it from CJS.
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a constant import(), not eval of data
const importEsm = new Function('specifier', 'return import(specifier)') as (
  s: string,
) => Promise<{ default: Factory }>;

let modulePromise: Promise<SpeexModule> | undefined;

export function loadSpeex(simd = true): Promise<SpeexModule> {
  modulePromise ??= importEsm(
    simd
      ? '@echogarden/speex-resampler-wasm/simd'
      : '@echogarden/speex-resampler-wasm',
  ).then((m) => m.default());
  return modulePromise;
}

export class SpeexPeer {
  private readonly state: number;
  private readonly inPtr: number;
  private readonly outPtr: number;
  private readonly lenPtr: number;
  readonly delaySamples: number;

  constructor(
    private readonly mod: SpeexModule,
    readonly inRate: number,
    readonly outRate: number,
    quality = 5,
    private readonly capacity = 8192,
  ) {
    const err = mod._malloc(4);
    this.state = mod._speex_resampler_init(1, inRate, outRate, quality, err);
    mod._free(err);
    this.inPtr = mod._malloc(capacity * 2);
    this.outPtr = mod._malloc(capacity * 2 * Math.ceil(outRate / inRate + 1));
    this.lenPtr = mod._malloc(8);
    this.delaySamples = mod._speex_resampler_get_output_latency(this.state);
  }

  /** Resamples one chunk; returns a fresh Int16Array (as a caller of the peer would get). */
  process(input: Int16Array): Int16Array {
    const mod = this.mod;
    mod.HEAP16.set(input, this.inPtr >> 1);
    const lens = this.lenPtr >> 2;
    mod.HEAPU32[lens] = input.length;
    mod.HEAPU32[lens + 1] =
      this.capacity * Math.ceil(this.outRate / this.inRate + 1);
    mod._speex_resampler_process_int(
      this.state,
      0,
      this.inPtr,
      this.lenPtr,
      this.outPtr,
      this.lenPtr + 4,
    );
    const produced = mod.HEAPU32[lens + 1];
    return mod.HEAP16.slice(this.outPtr >> 1, (this.outPtr >> 1) + produced);
  }

  destroy(): void {
    this.mod._speex_resampler_destroy(this.state);
    this.mod._free(this.inPtr);
    this.mod._free(this.outPtr);
    this.mod._free(this.lenPtr);
  }
}
