import { plainToInstance, Transform } from 'class-transformer';
import { semanticErrors } from './env.rules';
import {
  getMetadataStorage,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';

export const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/** UPSTREAM_FRAME_MS: whole Twilio frames (20 ms each) per upstream message, up to 100 ms. */
export const UPSTREAM_FRAME_MS_VALUES = [20, 40, 60, 80, 100] as const;

/** OTEL_EXPORTER_OTLP_PROTOCOL: spans always go as OTLP/HTTP JSON, which collectors take either way. */
export const OTLP_PROTOCOLS = ['http/json', 'http/protobuf'] as const;

/** An OTLP/HTTP endpoint: http(s), any host (collectors run on localhost or a service name). */
const OTLP_URL = {
  protocols: ['http', 'https'],
  require_protocol: true,
  require_tld: false,
};
const OTLP_URL_MESSAGE = {
  message: 'must be an http(s) URL such as http://localhost:4318',
};

/** RECORDING: whether calls are recorded when their agent profile does not say. */
export const RECORDING_MODES = ['on', 'off'] as const;
export type RecordingMode = (typeof RECORDING_MODES)[number];

export {
  EXAMPLE_MODULE_NAMES,
  parseExampleModules,
  parseTrustProxy,
} from './env.rules';
export type { ExampleModuleName } from './env.rules';

/** Variables whose values are secrets: never echoed in validation messages, stripped from logs. */
export const SECRET_ENV_KEYS: readonly string[] = [
  'CALL_SUMMARY_WEBHOOK_SECRET',
  'TWILIO_AUTH_TOKEN',
  'GEMINI_API_KEY',
  'ADMIN_API_KEY',
];
const SECRET_KEYS = new Set(SECRET_ENV_KEYS);

/** "42" -> 42; anything else is left as it is so that @IsInt reports it. */
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)
    ? Number(value)
    : value;

/**
 * Every environment variable the service reads, with its default.
 * Nothing outside this folder reads process.env.
 */
export class EnvironmentVariables {
  // --- app ---
  @Transform(toInt)
  @IsInt({ message: 'must be an integer between 1 and 65535' })
  @Min(1, { message: 'must be an integer between 1 and 65535' })
  @Max(65535, { message: 'must be an integer between 1 and 65535' })
  PORT: number = 8080;

  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join('|')}` })
  LOG_LEVEL: LogLevel = 'info';

  @IsIn(NODE_ENVS, { message: `must be one of ${NODE_ENVS.join('|')}` })
  NODE_ENV: NodeEnv = 'production';

  /** Checked by `parseTrustProxy` (see `semanticErrors`). */
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  @IsOptional()
  @IsString()
  EXAMPLE_MODULES?: string;

  // --- twilio ---
  @IsOptional()
  @IsUrl(
    { protocols: ['https'], require_protocol: true, require_tld: false },
    { message: 'must be an https URL such as https://voice.example.com' },
  )
  @Matches(/[^/]$/, { message: 'must not end with a slash' })
  WEBHOOK_BASE_URL?: string;

  @IsOptional()
  @Matches(/^AC[0-9a-f]{32}$/i, {
    message: 'must be "AC" followed by 32 hex digits',
  })
  TWILIO_ACCOUNT_SID?: string;

  @IsOptional()
  @IsString()
  TWILIO_AUTH_TOKEN?: string;

  @IsOptional()
  @Matches(/^\+[1-9]\d{1,14}$/, {
    message: 'must be an E.164 number such as +14155550100',
  })
  TWILIO_PHONE_NUMBER?: string;

  /** Overrides Twilio's REST origin (a fake Twilio API in tests); http:// only for loopback. */
  @IsOptional()
  @IsUrl(
    {
      protocols: ['http', 'https'],
      require_protocol: true,
      require_tld: false,
    },
    { message: 'must be an http(s) URL' },
  )
  TWILIO_API_BASE_URL?: string;

  // --- gemini ---
  @IsOptional()
  @IsString()
  GEMINI_API_KEY?: string;

  @IsOptional()
  @IsString()
  GOOGLE_CLOUD_PROJECT?: string;

  @IsOptional()
  @IsString()
  GOOGLE_CLOUD_LOCATION?: string;

  @IsString()
  GEMINI_MODEL: string = 'gemini-3.8-live';

  @IsString()
  GEMINI_VOICE: string = 'Kore';

  @IsOptional()
  @IsUrl(
    { protocols: ['ws', 'wss'], require_protocol: true, require_tld: false },
    { message: 'must be a ws:// or wss:// URL' },
  )
  GEMINI_LIVE_URL?: string;

  @IsOptional()
  @IsString()
  GEMINI_SYSTEM_INSTRUCTION?: string;

  @IsOptional()
  @IsString()
  GEMINI_SYSTEM_INSTRUCTION_FILE?: string;

  @IsOptional()
  @IsString()
  AGENT_PROFILES_FILE?: string;

  @IsOptional()
  @IsUrl(
    {
      protocols: ['http', 'https'],
      require_protocol: true,
      require_tld: false,
    },
    { message: 'must be an http(s) URL' },
  )
  CALL_SUMMARY_WEBHOOK_URL?: string;

  @IsOptional()
  @MinLength(16, { message: 'must be at least 16 characters long' })
  CALL_SUMMARY_WEBHOOK_SECRET?: string;

  // --- calls ---
  @IsOptional()
  @MinLength(16, { message: 'must be at least 16 characters long' })
  ADMIN_API_KEY?: string;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer of at least 1' })
  @Min(1, { message: 'must be an integer of at least 1' })
  MAX_CONCURRENT_CALLS: number = 100;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of seconds between 0 and 600' })
  @Min(0, { message: 'must be a whole number of seconds between 0 and 600' })
  @Max(600, { message: 'must be a whole number of seconds between 0 and 600' })
  DRAIN_TIMEOUT_SECONDS: number = 20;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'must be 1-64 letters, digits, dots, dashes or underscores',
  })
  INSTANCE_ID?: string;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of seconds between 10 and 86400' })
  @Min(10, {
    message: 'must be a whole number of seconds between 10 and 86400',
  })
  @Max(86400, {
    message: 'must be a whole number of seconds between 10 and 86400',
  })
  MAX_CALL_DURATION_SECONDS: number = 1800;

  /**
   * Stall watchdog: ms without agent audio after the caller's turn (no tool running, the model not
   * still thinking) before the model is nudged; as long again before "one moment, please" plays.
   */
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of ms between 500 and 60000' })
  @Min(500, { message: 'must be a whole number of ms between 500 and 60000' })
  @Max(60000, { message: 'must be a whole number of ms between 500 and 60000' })
  AGENT_STALL_TIMEOUT_MS: number = 6000;

  /**
   * Caller audio per upstream message to Gemini (ms): 20 sends each Twilio frame as it comes; 40, 60…
   * gather that much first (fewer messages and writes, up to N − 20 ms more caller → Gemini latency).
   */
  @Transform(toInt)
  @IsIn(UPSTREAM_FRAME_MS_VALUES, {
    message: `must be one of ${UPSTREAM_FRAME_MS_VALUES.join(', ')} (ms)`,
  })
  UPSTREAM_FRAME_MS: number = 20;

  @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+|memory:)$/, {
    message:
      'must start with sqlite:, postgres:// or postgresql://, or be memory: (nothing kept)',
  })
  DATABASE_URL: string = 'sqlite:data/calls.db';

  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, {
    message: 'must be a redis:// or rediss:// URL',
  })
  REDIS_URL?: string;

  // --- recordings ---
  /** Record calls whose agent profile does not say (`recording` in AGENT_PROFILES_FILE). */
  @IsIn(RECORDING_MODES, {
    message: `must be one of ${RECORDING_MODES.join('|')}`,
  })
  RECORDING: RecordingMode = 'off';

  @IsString()
  @MinLength(1)
  RECORDINGS_DIR: string = 'data/recordings';

  @Transform(toInt)
  @IsInt({
    message: 'must be a whole number of days between 0 (keep) and 36500',
  })
  @Min(0, {
    message: 'must be a whole number of days between 0 (keep) and 36500',
  })
  @Max(36500, {
    message: 'must be a whole number of days between 0 (keep) and 36500',
  })
  RECORDING_RETENTION_DAYS: number = 30;

  // --- tracing (OpenTelemetry's standard variables; unset endpoint: tracing off) ---
  @IsOptional()
  @IsUrl(OTLP_URL, OTLP_URL_MESSAGE)
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @IsOptional()
  @IsUrl(OTLP_URL, OTLP_URL_MESSAGE)
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;

  @IsOptional()
  @IsIn(OTLP_PROTOCOLS, {
    message: `must be ${OTLP_PROTOCOLS.join(' or ')} (grpc is not supported)`,
  })
  OTEL_EXPORTER_OTLP_PROTOCOL?: (typeof OTLP_PROTOCOLS)[number];

  @IsString()
  @MinLength(1)
  OTEL_SERVICE_NAME: string = 'voice-gateway';

  @IsOptional()
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  OTEL_SDK_DISABLED?: string;
}

const KNOWN_KEYS = new Set(
  getMetadataStorage()
    .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
    .map((metadata) => metadata.propertyName),
);

/** Known keys only; empty strings count as unset so defaults apply. */
function pickKnown(raw: Record<string, unknown>): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (KNOWN_KEYS.has(key) && value !== undefined && value !== '') {
      picked[key] = value;
    }
  }
  return picked;
}

/** Converts without validating; for config factories after boot validation. */
export function parseEnv(raw: Record<string, unknown>): EnvironmentVariables {
  return plainToInstance(EnvironmentVariables, pickKnown(raw));
}

function shownValue(key: string, value: unknown): string {
  if (value === undefined) return '(unset)';
  if (SECRET_KEYS.has(key) && typeof value === 'string') {
    return `(got ${value.length} characters)`;
  }
  const shown =
    typeof value === 'string'
      ? value.replace(/\/\/[^/@\s]*@/, '//***@')
      : value;
  return `(got ${JSON.stringify(shown)})`;
}

function formatError(
  error: ValidationError,
  raw: Record<string, unknown>,
): string {
  const messages = [...new Set(Object.values(error.constraints ?? {}))];
  const key = error.property;
  return `  - ${key}: ${messages.join('; ')} ${shownValue(key, raw[key])}`;
}

/**
 * ConfigModule `validate` hook: returns the typed, defaulted environment or
 * throws one Error listing every bad variable on its own line.
 */
export function validateEnv(
  raw: Record<string, unknown>,
): EnvironmentVariables {
  const env = parseEnv(raw);
  const errors = validateSync(env);
  const shown = (key: string): string => shownValue(key, raw[key]);
  const lines = [
    ...errors.map((error) => formatError(error, raw)),
    ...(errors.some((error) => error.property === 'GEMINI_LIVE_URL')
      ? semanticErrors({ ...env, GEMINI_LIVE_URL: undefined }, shown)
      : semanticErrors(env, shown)),
  ];
  if (lines.length > 0) {
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return env;
}
