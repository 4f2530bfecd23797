import { dspMemory } from './dsp-memory';

interface Held {
  ptr: number;
  size: number;
}

/** Returns a region to the allocator if its owner is collected without `dispose()` (a safety net only). */
const finalizer = new FinalizationRegistry<Held>((held) =>
  dspMemory().release(held.ptr, held.size),
);

/** A growable region of DSP memory owned by one object (a filter's history, a pipeline's I/O buffer). */
export class DspRegion {
  private readonly held: Held;
  private disposed = false;

  constructor(size: number) {
    this.held = { ptr: dspMemory().alloc(size), size };
    finalizer.register(this, this.held, this);
  }

  /** Byte address of the region. */
  get ptr(): number {
    return this.held.ptr;
  }

  get size(): number {
    return this.held.size;
  }

  /** Makes the region at least `size` bytes, keeping its first `keep` bytes. */
  ensure(size: number, keep = 0): void {
    if (size <= this.held.size) return;
    if (this.disposed) throw new Error('DSP region used after dispose');
    const memory = dspMemory();
    const grown = Math.max(size, this.held.size * 2);
    const ptr = memory.alloc(grown);
    if (keep > 0)
      memory.bytes.copy(memory.bytes, ptr, this.held.ptr, this.held.ptr + keep);
    memory.release(this.held.ptr, this.held.size);
    this.held.ptr = ptr;
    this.held.size = grown;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    finalizer.unregister(this);
    dspMemory().release(this.held.ptr, this.held.size);
  }
}
