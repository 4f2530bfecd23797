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
