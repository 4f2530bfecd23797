import { ConfigType, registerAs } from '@nestjs/config';
import {
  parseEnv,
  parseExampleModules,
  parseTrustProxy,
  SECRET_ENV_KEYS,
} from './env.validation';
import { OTLP_HEADER_ENV_KEYS, otlpHeaderSecrets } from './tracing.config';

export const appConfig = registerAs('app', () => {
  const env = parseEnv(process.env);
  return {
    port: env.PORT,
    host: '0.0.0.0',
    logLevel: env.LOG_LEVEL,
    nodeEnv: env.NODE_ENV,
    /** Express `trust proxy` (hops, addresses or false): who may set the client address. */
    trustProxy: env.TRUST_PROXY
      ? (parseTrustProxy(env.TRUST_PROXY) ?? false)
      : false,
    /** Bundled example modules to load (src/examples); none by default. */
    exampleModules: env.EXAMPLE_MODULES
      ? (parseExampleModules(env.EXAMPLE_MODULES) ?? [])
      : [],
    /**
     * Every configured secret value (tokens, keys, passwords in URLs), so that the log serializer can
     * strip them wherever they appear.
     */
    secrets: configuredSecrets(env),
  };
});

/**
 * The secret values this process holds, from the environment (empty and short values skipped): the
 * SECRET_ENV_KEYS, passwords in the database, Redis and OTLP URLs, and the OTLP exporter's header values.
 */
function configuredSecrets(env: ReturnType<typeof parseEnv>): string[] {
  const values: string[] = [];
  for (const key of SECRET_ENV_KEYS) {
    const value = (env as unknown as Record<string, unknown>)[key];
    if (typeof value === 'string') values.push(value);
  }
  // The OpenTelemetry SDK reads its exporter headers from the environment itself (a vendor's key).
  for (const key of OTLP_HEADER_ENV_KEYS)
    values.push(...otlpHeaderSecrets(process.env[key]));
  for (const url of [
    env.DATABASE_URL,
    env.REDIS_URL,
    env.OTEL_EXPORTER_OTLP_ENDPOINT,
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  ]) {
    const password = url ? urlPassword(url) : undefined;
    if (password) values.push(password);
  }
  return [...new Set(values)].filter((value) => value.length >= 4);
}

function urlPassword(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password || undefined;
  } catch {
    return undefined;
  }
}

export type AppConfig = ConfigType<typeof appConfig>;
