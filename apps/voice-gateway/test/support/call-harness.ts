export { toneAmplitude } from '@app/simulators';
import {
  GeminiLiveEmulator,
  GeminiLiveEmulatorOptions,
  TwilioCallSimulator,
} from '@app/simulators';
import { MEDIA_GATEWAY_OPTIONS as CALL_OPTIONS } from '@app/media-gateway';
import { INestApplication, Type } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

export const PUBLIC_URL = 'https://voice.example.test';
export const AUTH_TOKEN = 'test-twilio-auth-token';
export const ADMIN_KEY = 'test-admin-key-0123456789';
export const GEMINI_KEY = 'test-gemini-key';

/** A provider of the app replaced for one harness: `overrideProvider(token).useValue(value)`. */
export interface ProviderOverride {
  token: string | symbol;
  value: unknown;
}

/** The per-call timings (ms) the media path reads from its options. */
export interface CallTimings {
  maxCallDurationMs: number;
  idleTimeoutMs: number;
  /** How long a reservation (its stream token and early Gemini session) waits for the stream. */
  streamTokenTtlMs: number;
  streamStartTimeoutMs: number;
  /** Longest wait for one step of a call's end (read by the restructured lifecycle, if at all). */
  endStepTimeoutMs: number;
}

/**
 * Replaces the media path's options with `timings` over the app's defaults. The one place that
 * knows which token carries them (see the CALL_OPTIONS import).
 */
export function callTimings(timings: Partial<CallTimings>): ProviderOverride {
  return {
    token: CALL_OPTIONS,
    value: {
      webhookBaseUrl: PUBLIC_URL,
      authToken: AUTH_TOKEN,
      maxCallDurationMs: 1_800_000,
      idleTimeoutMs: 15_000,
      streamTokenTtlMs: 30_000,
      streamStartTimeoutMs: 10_000,
      endStepTimeoutMs: 5_000,
      ...timings,
    },
  };
}

/** The real app (real WsAdapter, real sockets) in front of the Gemini Live emulator. */
export interface CallHarness {
  app: INestApplication;
  baseUrl: string;
  emulator: GeminiLiveEmulator;
  /** A simulated Twilio call against this app (not yet placed). */
  call(
    options?: Partial<ConstructorParameters<typeof TwilioCallSimulator>[0]>,
  ): TwilioCallSimulator;
  /** fetch() against the admin API with the admin key. */
  admin(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Boots the app with env pointing at a fresh emulator. The app module is imported inside
 * isolateModules because ConfigModule validates the environment when the module is first loaded.
 */
export async function startCallHarness(
  env: Record<string, string> = {},
  emulatorOptions: GeminiLiveEmulatorOptions = {},
  /** Extra modules, loaded inside the app's module registry (decorators must share it). */
  extraModules: () => Promise<Array<Type<unknown>>> = () => Promise.resolve([]),
  /** Providers to replace (fault-injecting backends, short timings). */
  overrides: ProviderOverride[] = [],
): Promise<CallHarness> {
  const emulator = await GeminiLiveEmulator.start({
    apiKey: GEMINI_KEY,
    ...emulatorOptions,
  });
  // Each app gets its own SQLite file (the default store), removed on close.
  const dataDir = mkdtempSync(join(tmpdir(), 'vg-e2e-'));
  Object.assign(process.env, {
    LOG_LEVEL: 'silent',
    WEBHOOK_BASE_URL: PUBLIC_URL,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_ACCOUNT_SID: '',
    GEMINI_API_KEY: GEMINI_KEY,
    GEMINI_LIVE_URL: emulator.url,
    ADMIN_API_KEY: ADMIN_KEY,
    DATABASE_URL: `sqlite:${join(dataDir, 'calls.db')}`,
    REDIS_URL: '',
    DRAIN_TIMEOUT_SECONDS: '0',
    EXAMPLE_MODULES: '',
    TRUST_PROXY: '',
    // Tracing only when a test asks for it (a developer's own collector never receives test spans).
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
    ...env,
  });
  let app!: INestApplication;
  // Everything Nest is loaded inside the isolated registry, so class identity checks (instanceof
  // NestApplication in the WebSocket adapter) see one copy of @nestjs/core. A start refused on the
  // way (bad profiles at compile or bootstrap) closes whatever did start, and rejects.
  await jest.isolateModulesAsync(async () => {
    try {
      const { Test } = await import('@nestjs/testing');
      const { AppModule } = await import('../../src/app.module');
      const { configureApp } = await import('../../src/app.setup');
      let builder = Test.createTestingModule({
        imports: [AppModule, ...(await extraModules())],
      });
      for (const { token, value } of overrides)
        builder = builder.overrideProvider(token).useValue(value);
      const moduleRef = await builder.compile();
      app = moduleRef.createNestApplication({ bufferLogs: true });
      configureApp(app);
      await app.listen(0, '127.0.0.1');
    } catch (err) {
      await app?.close().catch(() => undefined);
      await emulator.close();
      rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
  });
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    baseUrl,
    emulator,
    call: (options = {}) =>
      new TwilioCallSimulator({
        serviceUrl: baseUrl,
        publicUrl: PUBLIC_URL,
        authToken: AUTH_TOKEN,
        ...options,
      }),
    admin: (path, init = {}) =>
      fetch(baseUrl + path, {
        ...init,
        headers: {
          authorization: `Bearer ${ADMIN_KEY}`,
          'content-type': 'application/json',
          ...init.headers,
        },
      }),
    close: async () => {
      await app.close();
      await emulator.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 3000,
  stepMs = 20,
): Promise<Exclude<T, undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<T, undefined | false>;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/** Index range of the loudest `ms`-long stretch of `x` (where a reply sits in mostly-silent audio). */
export function loudestWindow(
  x: Int16Array,
  rate: number,
  ms: number,
): [number, number] {
  const n = Math.round((rate * ms) / 1000);
  let best = 0;
  let bestEnergy = -1;
  let energy = 0;
  for (let i = 0; i < x.length; i++) {
    energy += x[i] * x[i];
    if (i >= n) energy -= x[i - n] * x[i - n];
    if (i >= n - 1 && energy > bestEnergy) {
      bestEnergy = energy;
      best = i - n + 1;
    }
  }
  return [best, best + n];
}
