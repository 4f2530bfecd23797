import { plainToInstance, Transform } from 'class-transformer';
import proxyaddr from 'proxy-addr';
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

/** RECORDING: whether calls are recorded when their agent profile does not say. */
export const RECORDING_MODES = ['on', 'off'] as const;
export type RecordingMode = (typeof RECORDING_MODES)[number];

/** The bundled example modules `EXAMPLE_MODULES` may name (src/examples). */
export const EXAMPLE_MODULE_NAMES = ['opening-hours', 'call-summary'] as const;
export type ExampleModuleName = (typeof EXAMPLE_MODULE_NAMES)[number];

/** Variables whose values are secrets: never echoed in validation messages, stripped from logs. */
export const SECRET_ENV_KEYS: readonly string[] = [
  'CALL_SUMMARY_WEBHOOK_SECRET',
  'TWILIO_AUTH_TOKEN',
  'GEMINI_API_KEY',
  'ADMIN_API_KEY',
];
const SECRET_KEYS = new Set(SECRET_ENV_KEYS);

/** Host names a plain ws:// (or http://) URL may point at: this machine only, by name or address. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
  );
}

/**
 * Express `trust proxy` from TRUST_PROXY: `true`/`false`, a hop count (`1`: believe the nearest
 * proxy's X-Forwarded-For entry), or a comma list of addresses, CIDR ranges or the names `loopback`,
 * `linklocal`, `uniquelocal` (the proxies whose X-Forwarded-For to believe). Each list is compiled
 * with proxy-addr, the parser Express itself uses, so anything accepted here cannot fail at start.
 * Source: Express 5 "behind proxies" guide. Returns undefined for a value of none of those shapes.
 */
export function parseTrustProxy(
  value: string,
): boolean | number | string[] | undefined {
  const trimmed = value.trim();
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  if (/^\d{1,3}$/.test(trimmed)) return Number(trimmed);
  const entries = trimmed.split(',').map((entry) => entry.trim());
  if (entries.some((entry) => entry === '')) return undefined;
  try {
    proxyaddr.compile(entries);
  } catch {
    return undefined;
  }
  return entries;
}

/** EXAMPLE_MODULES as a list of known names; undefined when any entry is unknown. */
export function parseExampleModules(
  value: string,
): ExampleModuleName[] | undefined {
  const names = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const known = new Set<string>(EXAMPLE_MODULE_NAMES);
  return names.every((name) => known.has(name))
    ? [...new Set(names)].map((name) => name as ExampleModuleName)
    : undefined;
}

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

/** Checks a decorator cannot express: value shapes with their own parsers, and pairs of variables. */
function semanticErrors(
  env: EnvironmentVariables,
  raw: Record<string, unknown>,
): string[] {
  const errors: Array<[key: string, message: string]> = [];
  if (
    env.TRUST_PROXY !== undefined &&
    parseTrustProxy(env.TRUST_PROXY) === undefined
  ) {
    errors.push([
      'TRUST_PROXY',
      'must be true, false, a hop count, or a comma list of proxy addresses/CIDRs (or loopback, linklocal, uniquelocal)',
    ]);
  }
  if (
    env.EXAMPLE_MODULES !== undefined &&
    !parseExampleModules(env.EXAMPLE_MODULES)
  ) {
    errors.push([
      'EXAMPLE_MODULES',
      `must be a comma list of ${EXAMPLE_MODULE_NAMES.join(', ')}`,
    ]);
  }
  if (env.GEMINI_LIVE_URL?.startsWith('ws://')) {
    const { hostname } = new URL(env.GEMINI_LIVE_URL);
    if (!isLoopbackHost(hostname)) {
      errors.push([
        'GEMINI_LIVE_URL',
        'must be wss:// (plain ws:// only for loopback: localhost, 127.0.0.1, ::1)',
      ]);
    }
  }
  if (
    env.TWILIO_API_BASE_URL?.startsWith('http://') &&
    !isLoopbackHost(new URL(env.TWILIO_API_BASE_URL).hostname)
  ) {
    // The auth token travels in every request's Authorization header.
    errors.push([
      'TWILIO_API_BASE_URL',
      'must be https:// (plain http:// only for loopback: localhost, 127.0.0.1, ::1)',
    ]);
  }
  const vertexPair = ['GOOGLE_CLOUD_PROJECT', 'GOOGLE_CLOUD_LOCATION'] as const;
  const [project, location] = [
    env.GOOGLE_CLOUD_PROJECT,
    env.GOOGLE_CLOUD_LOCATION,
  ];
  if ((project === undefined) !== (location === undefined)) {
    const missing = project === undefined ? vertexPair[0] : vertexPair[1];
    const other = project === undefined ? vertexPair[1] : vertexPair[0];
    errors.push([missing, `must be set with ${other} (Vertex AI needs both)`]);
  }
  return errors.map(
    ([key, message]) => `  - ${key}: ${message} ${shownValue(key, raw[key])}`,
  );
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
  const lines = [
    ...errors.map((error) => formatError(error, raw)),
    ...(errors.some((error) => error.property === 'GEMINI_LIVE_URL')
      ? semanticErrors({ ...env, GEMINI_LIVE_URL: undefined }, raw)
      : semanticErrors(env, raw)),
  ];
  if (lines.length > 0) {
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return env;
}
