import {
  DynamicModule,
  FactoryProvider,
  Module,
  ModuleMetadata,
} from '@nestjs/common';
import { AdminController } from './admin/admin.controller';
import { AdminGuard } from './admin/admin.guard';
import {
  CALL_MANAGER_OPTIONS,
  CALL_REGISTRY,
  CALL_STORE,
  type CallManagerOptions,
} from './call-manager.constants';
import { CallsService } from './calls.service';
import { Clock } from './clock.service';
import { InMemoryCallRegistry } from './registry/in-memory-call-registry.driver';
import { InMemoryCallStore } from './store/in-memory-call-store.driver';

export interface CallManagerModuleAsyncOptions {
  /** Modules the factory's dependencies (and an optional CALL_HANGUP provider) come from. */
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  useFactory: (
    ...args: any[]
  ) => CallManagerOptions | Promise<CallManagerOptions>;
}

/**
 * The live-call registry, call records and the admin API. In-memory registry and store by default.
 * To end calls at the carrier too, import a module that exports CALL_HANGUP through `imports`.
 */
@Module({})
export class CallManagerModule {
  static forRootAsync(options: CallManagerModuleAsyncOptions): DynamicModule {
    return {
      module: CallManagerModule,
      // Global: the Twilio module (and teams' modules) use CallsService without importing this
      // dynamic module again, which would create a second registry.
      global: true,
      imports: options.imports ?? [],
      controllers: [AdminController],
      providers: [
        {
          provide: CALL_MANAGER_OPTIONS,
          inject: options.inject ?? [],
          useFactory: async (...args: unknown[]) =>
            checkOptions(await options.useFactory(...args)),
        },
        { provide: CALL_REGISTRY, useClass: InMemoryCallRegistry },
        { provide: CALL_STORE, useFactory: () => new InMemoryCallStore() },
        Clock,
        CallsService,
        AdminGuard,
      ],
      // The options and the guard too, so an app can put other admin routes behind the same key.
      exports: [
        CallsService,
        CALL_REGISTRY,
        CALL_STORE,
        Clock,
        CALL_MANAGER_OPTIONS,
        AdminGuard,
      ],
    };
  }
}

function checkOptions(options: CallManagerOptions): CallManagerOptions {
  const max = options.maxConcurrentCalls;
  if (!Number.isInteger(max) || max < 0) {
    throw new Error(
      `CallManagerModule: maxConcurrentCalls must be a whole number >= 0 (got ${String(max)})`,
    );
  }
  return options;
}
