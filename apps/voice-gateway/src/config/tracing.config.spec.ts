import { validateEnv } from './env.validation';
import { tracingConfig } from './tracing.config';

const OTEL_KEYS = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_SERVICE_NAME',
  'OTEL_SDK_DISABLED',
];

/** tracingConfig() over exactly these OTEL_* variables. */
function configWith(vars: Record<string, string>) {
  const saved = Object.fromEntries(OTEL_KEYS.map((k) => [k, process.env[k]]));
  for (const key of OTEL_KEYS) delete process.env[key];
  Object.assign(process.env, vars);
  try {
    return tracingConfig();
  } finally {
    for (const [key, value] of Object.entries(saved))
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
  }
}

describe('tracing configuration (OTEL_*)', () => {
  it('is off without an endpoint, and with OTEL_SDK_DISABLED=true', () => {
    expect(configWith({})).toEqual({
      tracesUrl: undefined,
      serviceName: 'voice-gateway',
    });
    expect(
      configWith({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_SDK_DISABLED: 'true',
      }).tracesUrl,
    ).toBeUndefined();
  });

  it('sends to <endpoint>/v1/traces, or to the traces endpoint as it is', () => {
    expect(
      configWith({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_SERVICE_NAME: 'phones-eu',
      }),
    ).toEqual({
      tracesUrl: 'http://collector:4318/v1/traces',
      serviceName: 'phones-eu',
    });
    expect(
      configWith({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://otlp.example.com/t',
      }).tracesUrl,
    ).toBe('https://otlp.example.com/t');
  });

  it('refuses a non-http endpoint and the grpc protocol at boot', () => {
    expect(() =>
      validateEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      }),
    ).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT: must be an http\(s\) URL[\s\S]*OTEL_EXPORTER_OTLP_PROTOCOL: must be http\/json or http\/protobuf \(grpc is not supported\)/,
    );
    expect(
      validateEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' })
        .OTEL_EXPORTER_OTLP_PROTOCOL,
    ).toBe('http/protobuf');
  });
});
