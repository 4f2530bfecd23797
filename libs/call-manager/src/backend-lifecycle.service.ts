import {
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { ManagedBackend } from './backend.types';
import { CALL_REGISTRY, CALL_STORE } from './call-manager.constants';
import { CALL_ROUTER } from './routing/call-router.constants';

function isManaged(value: unknown): value is ManagedBackend {
  return typeof (value as ManagedBackend | undefined)?.close === 'function';
}

/**
 * Releases the router, registry and store connections after the calls have been ended and their records
 * written (CallsService ends calls in beforeApplicationShutdown, which Nest runs first).
 */
@Injectable()
export class BackendLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger(BackendLifecycle.name);

  constructor(
    @Inject(CALL_STORE) private readonly store: unknown,
    @Inject(CALL_REGISTRY) private readonly registry: unknown,
    @Inject(CALL_ROUTER) private readonly router: unknown,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    for (const backend of [this.router, this.registry, this.store]) {
      if (!isManaged(backend)) continue;
      try {
        await backend.close();
      } catch (err) {
        this.logger.warn({
          msg: 'Closing a call backend failed',
          err: (err as Error).message,
        });
      }
    }
  }
}
