import { SecretScrubber } from '../logging/secret-scrubber';
import { appConfig } from './app.config';
import { validateEnv } from './env.validation';
import { otlpHeaderSecrets, tracingConfig } from './tracing.config';

const OTEL_KEYS = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_SERVICE_NAME',
  'OTEL_SDK_DISABLED',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
];

/** Runs `fn` with exactly these OTEL_* variables set, then puts the environment back. */
function withOtelEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const saved = Object.fromEntries(OTEL_KEYS.map((k) => [k, process.env[k]]));
  for (const key of OTEL_KEYS) delete process.env[key];
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    for (const [key, value] of Object.entries(saved))
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
  }
}

/** tracingConfig() over exactly these OTEL_* variables. */
function configWith(vars: Record<string, string>) {
  return withOtelEnv(vars, () => tracingConfig());
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

describe('OTLP exporter credentials are secrets', () => {
  it('takes each header value as written and decoded, and a Bearer/Basic credential on its own', () => {
    expect(
      otlpHeaderSecrets(
        'x-honeycomb-team=hc%2Bkey%3D42, authorization=Bearer%20tok-123456,empty=,=novalue,junk',
      ),
    ).toEqual([
      'hc%2Bkey%3D42',
      'hc+key=42',
      'Bearer%20tok-123456',
      'Bearer tok-123456',
      'tok-123456',
    ]);
    // Not valid percent-encoding: kept as written.
    expect(otlpHeaderSecrets('api-key=%E0%A4%A')).toEqual(['%E0%A4%A']);
    expect(otlpHeaderSecrets(undefined)).toEqual([]);
    expect(otlpHeaderSecrets('')).toEqual([]);
  });

  it('are stripped from log lines with the other configured secrets (headers and endpoint passwords)', () => {
    const secrets = withOtelEnv(
      {
        OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=hcteamkey123',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS:
          'authorization=Basic dXNlcjpwdw%3D%3D',
        OTEL_EXPORTER_OTLP_ENDPOINT:
          'https://user:collectorpw9@otlp.example.com',
      },
      () => appConfig().secrets,
    );
    const scrubber = new SecretScrubber(secrets);
    const line = scrubber.text(
      'export failed: sent hcteamkey123 and dXNlcjpwdw== to otlp.example.com (collectorpw9)',
    );

    expect(line).not.toMatch(/hcteamkey123|dXNlcjpwdw==|collectorpw9/);
    expect(line).toContain('export failed');
  });
});
