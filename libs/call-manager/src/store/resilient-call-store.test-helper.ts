/** Fixtures shared by the ResilientCallStore specs. */
import type { BackendStatus, ManagedBackend } from '../backend.types';
import type { CallRecord, TranscriptEntry } from '../call.types';
import type { CallListQuery, CallStore } from './call-store.interface';
import { InMemoryCallStore } from './in-memory-call-store.driver';

/** An in-memory backend that can be taken down, fail a number of times, or answer slowly. */
export class FlakyCallStore implements CallStore, ManagedBackend {
  readonly backend = 'flaky';
  readonly data = new InMemoryCallStore();
  /** Every write applied, in order: `create CA…`, `append CA… a,b`, `update CA…`, `loss CA… 3`. */
  readonly applied: string[] = [];
  down = false;
  failures = 0;
  delayMs = 0;
  attempts = 0;
  closed = 0;

  async create(record: CallRecord): Promise<boolean> {
    await this.gate();
    this.applied.push(`create ${record.callSid}`);
    return this.data.create(record);
  }

  async appendTranscript(
    callSid: string,
    entries: TranscriptEntry[],
  ): Promise<boolean> {
    await this.gate();
    this.applied.push(`append ${callSid} ${entries.map((e) => e.text).join()}`);
    return this.data.appendTranscript(callSid, entries);
  }

  async update(callSid: string, patch: Partial<CallRecord>): Promise<boolean> {
    await this.gate();
    this.applied.push(`update ${callSid}`);
    return this.data.update(callSid, patch);
  }

  async recordTranscriptLoss(callSid: string, lines: number): Promise<boolean> {
    await this.gate();
    this.applied.push(`loss ${callSid} ${lines}`);
    return this.data.recordTranscriptLoss(callSid, lines);
  }

  async get(callSid: string): Promise<CallRecord | undefined> {
    await this.gate();
    return this.data.get(callSid);
  }

  async list(query: CallListQuery): Promise<CallRecord[]> {
    await this.gate();
    return this.data.list(query);
  }

  health(): Promise<BackendStatus> {
    return Promise.resolve({ backend: this.backend, ok: !this.down });
  }

  close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }

  private async gate(): Promise<void> {
    this.attempts++;
    if (this.delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    }
    if (this.down || this.failures > 0) {
      this.failures = Math.max(0, this.failures - 1);
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
        code: 'ECONNREFUSED',
      });
    }
  }
}

export const texts = (r: CallRecord | undefined) =>
  r?.transcript.map((e) => e.text);

export function logger() {
  return { warn: jest.fn(), log: jest.fn() };
}

/** Fast retries so the specs run in milliseconds. */
export const fast = { minRetryDelayMs: 1, maxRetryDelayMs: 5 };

/** Resolves once `done()` holds, polling every ms; rejects after `timeoutMs` (ms). */
export async function waitUntil(
  done: () => boolean,
  timeoutMs = 1000,
): Promise<void> {
  const started = Date.now();
  while (!done()) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
