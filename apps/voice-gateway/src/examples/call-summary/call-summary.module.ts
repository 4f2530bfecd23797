import {
  DynamicModule,
  FactoryProvider,
  Module,
  ModuleMetadata,
} from '@nestjs/common';
import {
  CALL_SUMMARY_OPTIONS,
  DEFAULT_BACKOFF_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_TIMEOUT_MS,
  type CallSummaryOptions,
  type ResolvedCallSummaryOptions,
} from './call-summary.constants';
import { CallSummaryNotifier } from './call-summary.notifier';
import { WebhookSender } from './webhook-sender.service';

export interface CallSummaryModuleAsyncOptions {
  /** Modules the factory's dependencies come from (not needed for a global ConfigModule). */
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  useFactory: (
    ...args: any[]
  ) => CallSummaryOptions | Promise<CallSummaryOptions>;
}

/**
 * Sends a signed summary of every ended call to a webhook (`call.ended`). Needs
 * `EventEmitterModule.forRoot()` somewhere in the app. Without a `url` it does nothing.
 */
@Module({})
export class CallSummaryModule {
  static forRootAsync(options: CallSummaryModuleAsyncOptions): DynamicModule {
    return {
      module: CallSummaryModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: CALL_SUMMARY_OPTIONS,
          inject: options.inject ?? [],
          useFactory: async (...args: unknown[]) =>
            resolveCallSummaryOptions(await options.useFactory(...args)),
        },
        WebhookSender,
        CallSummaryNotifier,
      ],
    };
  }
}

/** Fills in defaults; throws at boot with every problem named (never the URL, which may hold a key). */
export function resolveCallSummaryOptions(
  raw: CallSummaryOptions,
): ResolvedCallSummaryOptions {
  const url = raw.url?.trim();
  if (!url) return { enabled: false };

  const problems: string[] = [];
  let protocol = '';
  try {
    protocol = new URL(url).protocol;
  } catch {
    problems.push('url is not a valid URL');
  }
  if (protocol && protocol !== 'http:' && protocol !== 'https:') {
    problems.push('url must be http or https');
  }
  const secret = raw.secret ?? '';
  if (!secret) problems.push('secret is required when url is set');
  const maxAttempts = raw.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) {
    problems.push(
      `maxAttempts must be a whole number from 1 to 10 (got ${String(maxAttempts)})`,
    );
  }
  const backoffMs = raw.backoffMs ?? DEFAULT_BACKOFF_MS;
  if (!Number.isFinite(backoffMs) || backoffMs < 0) {
    problems.push(`backoffMs must be >= 0 (got ${String(backoffMs)})`);
  }
  const timeoutMs = raw.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    problems.push(`timeoutMs must be > 0 (got ${String(timeoutMs)})`);
  }
  if (problems.length > 0) {
    throw new Error(`CallSummaryModule: ${problems.join('; ')}`);
  }
  return {
    enabled: true,
    url,
    secret,
    maxAttempts,
    backoffMs,
    timeoutMs,
  };
}
