import { Injectable, Optional } from '@nestjs/common';
import type { BackendStatus, ManagedBackend } from '../backend.types';
import type { LiveCallSummary, ReserveResult } from '../call.types';
import type { CallRegistry } from './call-registry.interface';

/** Keys a patch may not change: the call's identity and its owner. */
const FIXED_KEYS: ReadonlySet<string> = new Set(['callSid', 'instanceId']);

/** Live calls in this process: the single-instance default. */
@Injectable()
export class InMemoryCallRegistry implements CallRegistry, ManagedBackend {
  private readonly calls = new Map<string, LiveCallSummary>();

  /** `instanceId`: stamped on the calls reserved here (none by default). */
  constructor(@Optional() readonly instanceId?: string) {}

  reserve(summary: LiveCallSummary, max: number): Promise<ReserveResult> {
    // Synchronous check-and-set: atomic within one event loop.
    if (this.calls.has(summary.callSid)) return Promise.resolve('duplicate');
    if (this.calls.size >= max) return Promise.resolve('at-capacity');
    this.calls.set(summary.callSid, this.owned({ ...summary }));
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
    merge(call, patch);
    return Promise.resolve(true);
  }

  claimStream(
    callSid: string,
    streamSid: string,
    patch: Partial<LiveCallSummary> = {},
  ): Promise<boolean> {
    const call = this.calls.get(callSid);
    if (!call || call.streamSid) return Promise.resolve(false);
    merge(call, patch);
    call.streamSid = streamSid;
    this.owned(call);
    return Promise.resolve(true);
  }

  remove(callSid: string): Promise<boolean> {
    return Promise.resolve(this.calls.delete(callSid));
  }

  count(): Promise<number> {
    return Promise.resolve(this.calls.size);
  }

  health(): Promise<BackendStatus> {
    return Promise.resolve({ backend: 'memory', ok: true });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private owned(call: LiveCallSummary): LiveCallSummary {
    if (this.instanceId !== undefined) call.instanceId = this.instanceId;
    return call;
  }
}

function merge(call: LiveCallSummary, patch: Partial<LiveCallSummary>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (FIXED_KEYS.has(key) || value === undefined) continue;
    (call as unknown as Record<string, unknown>)[key] = value;
  }
}
