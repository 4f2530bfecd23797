import {
  DynamicModule,
  FactoryProvider,
  Logger,
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
import { CallDrain } from './call-drain.service';
import { CallEndRouting } from './call-end.routing';
import { CallRegistration } from './call-registration.service';
import { CallsService } from './calls.service';
import { Clock } from './clock.service';
import {
  CallRouting,
  createCallRouting,
  defaultInstanceId,
} from './registry/create-call-registry';
import { CALL_ROUTER } from './routing/call-router.constants';
import { createCallStore } from './store/create-call-store';
import { BackendLifecycle } from './backend-lifecycle.service';
import { CallEvents } from './events/call-events';
import { LocalCalls } from './local-calls.state';
import { LostCallReaper } from './lost-calls/lost-call.reaper';

export interface CallManagerModuleAsyncOptions {
  /** Modules the factory's dependencies (and an optional CALL_HANGUP provider) come from. */
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  useFactory: (
    ...args: any[]
  ) => CallManagerOptions | Promise<CallManagerOptions>;
}

/** Internal token for the registry/router pair built from one createCallRouting call. */
const CALL_ROUTING = 'CALL_ROUTING';

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
        {
          // One routing pair per process: the registry and the router share the instance id.
          provide: CALL_ROUTING,
          inject: [CALL_MANAGER_OPTIONS],
          useFactory: (opts: CallManagerOptions) =>
            createCallRouting(
              opts.redisUrl,
              opts.instanceId ?? defaultInstanceId(),
            ),
        },
        {
          provide: CALL_REGISTRY,
          inject: [CALL_ROUTING],
          useFactory: (r: CallRouting) => r.registry,
        },
        {
          provide: CALL_ROUTER,
          inject: [CALL_ROUTING],
          useFactory: (r: CallRouting) => r.router,
        },
        {
          provide: CALL_STORE,
          inject: [CALL_MANAGER_OPTIONS],
          // In memory without a URL; SQLite or PostgreSQL (migrated at start, writes buffered and
          // retried through outages) with one.
          useFactory: (opts: CallManagerOptions) =>
            createCallStore(opts.databaseUrl, {
              logger: new Logger('CallStore'),
            }),
        },
        BackendLifecycle,
        CallEvents,
        Clock,
        // CallsService is the facade over these parts, which share the one LocalCalls; only
        // CallsService has the shutdown hook (it runs CallDrain once).
        LocalCalls,
        CallRegistration,
        CallEndRouting,
        CallDrain,
        CallsService,
        // Closes the calls of dead instances (shared registry only; idle otherwise).
        LostCallReaper,
        AdminGuard,
      ],
      // The options and the guard too, so an app can put other admin routes behind the same key.
      exports: [
        CallsService,
        CallEvents,
        CALL_REGISTRY,
        CALL_ROUTER,
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
