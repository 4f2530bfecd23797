import { MULAW_DECODE_TABLE, MULAW_ENCODE_TABLE } from '../codec/mulaw.codec';
import { DSP_KERNELS_WASM_BASE64 } from './wasm/dsp-kernels.wasm';

/** The WebAssembly kernels (assembly/dsp-kernels.ts); every pointer is a byte address in `memory`. */
interface DspKernels {
  memory: WebAssembly.Memory;
  firStrided(
    buf: number,
    first: number,
    end: number,
    step: number,
    h: number,
    taps: number,
    out: number,
  ): number;
  halfband(
    buf: number,
    count: number,
    copyAt: number,
    h: number,
    taps: number,
    out: number,
  ): number;
  polyphase(
    buf: number,
    pos: number,
    limit: number,
    up: number,
    down: number,
    branches: number,
    taps: number,
    out: number,
  ): number;
  ulawToF32(codes: number, count: number, table: number, dst: number): void;
  i16ToF32(src: number, count: number, dst: number): void;
  f32ToI16(src: number, count: number, dst: number): void;
  i16ToUlaw(src: number, count: number, table: number, dst: number): void;
  heapBase(): number;
}

const PAGE = 65536;
const ALIGN = 64;

/**
 * Host side of the WebAssembly DSP: one module instance per thread, a simple allocator over its memory
 * (exact-size free lists: calls reuse the few region sizes their pipelines need), typed views that are
 * refreshed whenever the memory grows, and the shared read-only tables and filter coefficients.
 *
 * The event loop runs one call's audio at a time, so all calls share this memory safely; each call owns
 * only its regions (filter history and I/O), which it releases on dispose.
 */
export class DspMemory {
  readonly kernels: DspKernels;
  f32!: Float32Array;
  bytes!: Buffer;
  /** f32[256]: μ-law code → sample. */
  readonly ulawDecodeTable: number;
  /** u8[65536]: (PCM16 & 0xffff) → μ-law code. */
  readonly ulawEncodeTable: number;
  private top: number;
  private readonly freeLists = new Map<number, number[]>();
  private readonly constants = new Map<string, number>();
  private allocated = 0;

  constructor() {
    const module = new WebAssembly.Module(
      Buffer.from(DSP_KERNELS_WASM_BASE64, 'base64'),
    );
    this.kernels = new WebAssembly.Instance(module, {})
      .exports as unknown as DspKernels;
    this.top = Math.ceil(this.kernels.heapBase() / ALIGN) * ALIGN;
    this.refreshViews();
    this.ulawDecodeTable = this.constant(
      'ulaw-decode',
      Float32Array.from(MULAW_DECODE_TABLE),
    );
    this.ulawEncodeTable = this.alloc(65536);
    this.bytes.set(MULAW_ENCODE_TABLE, this.ulawEncodeTable);
  }

  /** Bytes currently held by live regions (tables and coefficients included). */
  get allocatedBytes(): number {
    return this.allocated;
  }

  /** A zeroed region of at least `size` bytes, 64-byte aligned. Addresses never move. */
  alloc(size: number): number {
    const rounded = Math.max(ALIGN, Math.ceil(size / ALIGN) * ALIGN);
    this.allocated += rounded;
    const reused = this.freeLists.get(rounded)?.pop();
    if (reused !== undefined) {
      this.bytes.fill(0, reused, reused + rounded);
      return reused;
    }
    const ptr = this.top;
    this.top += rounded;
    const needed = this.top - this.kernels.memory.buffer.byteLength;
    if (needed > 0) {
      this.kernels.memory.grow(Math.ceil(needed / PAGE));
      this.refreshViews();
    }
    return ptr;
  }

  release(ptr: number, size: number): void {
    const rounded = Math.max(ALIGN, Math.ceil(size / ALIGN) * ALIGN);
    this.allocated -= rounded;
    const list = this.freeLists.get(rounded);
    if (list) list.push(ptr);
    else this.freeLists.set(rounded, [ptr]);
  }

  /**
   * Read-only f32 data shared by every user of the same `key` (filter coefficients), zero-padded to a
   * multiple of four values plus one spare vector. Never released.
   */
  constant(key: string, values: Float32Array | Float64Array): number {
    const existing = this.constants.get(key);
    if (existing !== undefined) return existing;
    const ptr = this.alloc((Math.ceil(values.length / 4) * 4 + 4) * 4);
    this.f32.set(values, ptr >> 2);
    this.constants.set(key, ptr);
    return ptr;
  }

  private refreshViews(): void {
    const buffer = this.kernels.memory.buffer;
    this.f32 = new Float32Array(buffer);
    this.bytes = Buffer.from(buffer);
  }
}

let shared: DspMemory | undefined;

/** This thread's DSP memory (instantiated on first use). */
export function dspMemory(): DspMemory {
  shared ??= new DspMemory();
  return shared;
}
