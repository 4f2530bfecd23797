import { ConfigType, registerAs } from '@nestjs/config';
import { parseEnv } from './env.validation';

/**
 * OpenTelemetry tracing from the standard variables. `tracesUrl` is where spans go (OTLP/HTTP JSON):
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`;
 * undefined (tracing off, no SDK started) when neither is set or OTEL_SDK_DISABLED=true.
 */
export const tracingConfig = registerAs('tracing', () => {
  const env = parseEnv(process.env);
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const url =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (base ? `${base}/v1/traces` : undefined);
  return {
    tracesUrl: env.OTEL_SDK_DISABLED === 'true' ? undefined : url,
    /** `service.name` on every span (OTEL_SERVICE_NAME, default `voice-gateway`). */
    serviceName: env.OTEL_SERVICE_NAME,
  };
});

export type TracingConfig = ConfigType<typeof tracingConfig>;

/** The OTLP exporter's header variables: the SDK reads them itself; they often carry a vendor's key. */
export const OTLP_HEADER_ENV_KEYS = [
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
] as const;

/**
 * The secret values in an OTLP header list (`key1=value1,key2=value2`: the W3C Baggage format, per the
 * OpenTelemetry specification's protocol/exporter.md, "Specifying headers via environment variables";
 * SDKs differ on whether values are percent-encoded, so both forms count): each value as written and,
 * when it differs, decoded, and the credential of a `Bearer`/`Basic` value on its own. Malformed
 * entries are skipped, never thrown on; values under 4 characters are dropped later.
 */
export function otlpHeaderSecrets(list: string | undefined): string[] {
  const values: string[] = [];
  for (const entry of list?.split(',') ?? []) {
    const at = entry.indexOf('=');
    const raw = at > 0 ? entry.slice(at + 1).trim() : '';
    if (!raw) continue;
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      // not percent-encoded: the value as written is the secret
    }
    values.push(raw);
    if (decoded !== raw) values.push(decoded);
    const credential = /^(?:Bearer|Basic)\s+(\S+)$/i.exec(decoded)?.[1];
    if (credential) values.push(credential);
  }
  return values;
}
