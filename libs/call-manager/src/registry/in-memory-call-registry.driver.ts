import { Injectable } from '@nestjs/common';
import type { LiveCallSummary, ReserveResult } from '../call.types';
import type { CallRegistry } from './call-registry.interface';

/** Live calls in this process: the single-instance default. */
@Injectable()
export class InMemoryCallRegistry implements CallRegistry {
  private readonly calls = new Map<string, LiveCallSummary>();

  reserve(summary: LiveCallSummary, max: number): Promise<ReserveResult> {
    // Synchronous check-and-set: atomic within one event loop.
    if (this.calls.has(summary.callSid)) return Promise.resolve('duplicate');
    if (this.calls.size >= max) return Promise.resolve('at-capacity');
    this.calls.set(summary.callSid, { ...summary });
    return Promise.resolve('reserved');
  }

  get(callSid: string): Promise<LiveCallSummary | undefined> {
    const call = this.calls.get(callSid);
    return Promise.resolve(call && { ...call });
  }

  list(): Promise<LiveCallSummary[]> {
    return Promise.resolve(
      [...this.calls.values()].map((call) => ({ ...call })),
    );
  }

  update(callSid: string, patch: Partial<LiveCallSummary>): Promise<boolean> {
    const call = this.calls.get(callSid);
    if (!call) return Promise.resolve(false);
    for (const [key, value] of Object.entries(patch)) {
      if (key === 'callSid' || value === undefined) continue;
      (call as unknown as Record<string, unknown>)[key] = value;
    }
    return Promise.resolve(true);
  }

  remove(callSid: string): Promise<boolean> {
    return Promise.resolve(this.calls.delete(callSid));
  }

  count(): Promise<number> {
    return Promise.resolve(this.calls.size);
  }
}
