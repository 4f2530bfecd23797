import type { BackendStatus, ManagedBackend } from '../backend.types';
import { InMemoryCallStore } from './in-memory-call-store.driver';

/** The in-memory store as a ManagedBackend: always healthy, nothing to release. */
export class ManagedInMemoryCallStore
  extends InMemoryCallStore
  implements ManagedBackend
{
  health(): Promise<BackendStatus> {
    return Promise.resolve({
      backend: 'memory',
      ok: true,
      detail: 'in-process; records are lost on restart',
      pendingWrites: 0,
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
