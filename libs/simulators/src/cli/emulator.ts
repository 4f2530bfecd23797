/**
 * `npm run emulator` — the bundled Gemini Live emulator on its own, for offline runs of the real
 * service: start it, point the service's GEMINI_LIVE_URL and GEMINI_API_KEY at what it prints, and
 * place calls with `npm run simulate-call`. Ctrl-C (SIGINT) or SIGTERM closes it cleanly.
 *
 *   npm run emulator -- [--port 9090] [--host 127.0.0.1] [--api-key <key>] [--reply tone|echo|silent]
 *                       [--silence-ms 700] [--tone-hz 440] [--tone-ms 1000] [--setup-delay-ms 0]
 *                       [--response-delay-ms 0] [--models gemini-3.8-live,…]
 */
import { GeminiLiveEmulator } from '../gemini/gemini-live.emulator';
import type {
  GeminiLiveEmulatorOptions,
  ReplySpec,
} from '../gemini/gemini-live.types';

/** The key the emulator accepts when `--api-key` is not given (printed at start). */
export const DEFAULT_EMULATOR_API_KEY = 'emulator-dev-key';
/** The port `npm run emulator` listens on by default. */
export const DEFAULT_EMULATOR_PORT = 9090;

/** How the emulated agent answers each caller turn. */
export const REPLY_KINDS = ['tone', 'echo', 'silent'] as const;
export type ReplyKind = (typeof REPLY_KINDS)[number];

export interface EmulatorArgs {
  port: number;
  host: string;
  apiKey: string;
  reply: ReplyKind;
  /** Silence that ends a caller turn (ms). */
  silenceMs: number;
  toneHz: number;
  toneMs: number;
  setupDelayMs: number;
  /** After a caller turn ends, how long the agent waits before its reply's first audio (ms). */
  responseDelayMs: number;
  models: string[];
}

const USAGE =
  'usage: emulator [--port 9090] [--host 127.0.0.1] [--api-key <key>] [--reply tone|echo|silent]\n' +
  '                [--silence-ms 700] [--tone-hz 440] [--tone-ms 1000] [--setup-delay-ms 0]\n' +
  '                [--response-delay-ms 0] [--models gemini-3.8-live,…]';

const KNOWN = [
  'port',
  'host',
  'api-key',
  'reply',
  'silence-ms',
  'tone-hz',
  'tone-ms',
  'setup-delay-ms',
  'response-delay-ms',
  'models',
];

/** A whole number within [min, max] from `--name`, or `fallback` when absent; throws otherwise. */
function integer(
  values: Record<string, string>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max)
    throw new Error(
      `--${name} must be a whole number from ${min} to ${max}\n${USAGE}`,
    );
  return value;
}

/** Parses `--name value` pairs; throws with the usage text on anything unexpected. */
export function parseEmulatorArgs(argv: readonly string[]): EmulatorArgs {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (!name.startsWith('--') || value === undefined)
      throw new Error(`bad argument ${name}\n${USAGE}`);
    values[name.slice(2)] = value;
  }
  const unknown = Object.keys(values).find((name) => !KNOWN.includes(name));
  if (unknown) throw new Error(`unknown option --${unknown}\n${USAGE}`);
  const reply = values.reply ?? 'echo';
  if (!(REPLY_KINDS as readonly string[]).includes(reply))
    throw new Error(
      `--reply must be one of ${REPLY_KINDS.join('|')}\n${USAGE}`,
    );
  const models = (values.models ?? 'gemini-3.8-live')
    .split(',')
    .map((model) => model.trim())
    .filter(Boolean);
  if (models.length === 0)
    throw new Error(`--models needs at least one model id\n${USAGE}`);
  if (values['api-key'] === '')
    throw new Error(`--api-key must not be empty\n${USAGE}`);
  return {
    port: integer(values, 'port', DEFAULT_EMULATOR_PORT, 0, 65535),
    host: values.host ?? '127.0.0.1',
    apiKey: values['api-key'] ?? DEFAULT_EMULATOR_API_KEY,
    reply: reply as ReplyKind,
    silenceMs: integer(values, 'silence-ms', 700, 20, 10_000),
    toneHz: integer(values, 'tone-hz', 440, 50, 11_000),
    toneMs: integer(values, 'tone-ms', 1000, 40, 60_000),
    setupDelayMs: integer(values, 'setup-delay-ms', 0, 0, 60_000),
    responseDelayMs: integer(values, 'response-delay-ms', 0, 0, 60_000),
    models,
  };
}

/** The emulator's options for these arguments. */
export function emulatorOptions(args: EmulatorArgs): GeminiLiveEmulatorOptions {
  const reply: ReplySpec =
    args.reply === 'echo'
      ? { kind: 'echo' }
      : args.reply === 'silent'
        ? { kind: 'pcm', samples: new Int16Array(0) }
        : { kind: 'tone', hz: args.toneHz, ms: args.toneMs };
  return {
    port: args.port,
    host: args.host,
    apiKey: args.apiKey,
    reply,
    silenceMs: args.silenceMs,
    setupDelayMs: args.setupDelayMs,
    responseDelayMs: args.responseDelayMs,
    knownModels: args.models,
  };
}

function describeReply(args: EmulatorArgs): string {
  switch (args.reply) {
    case 'echo':
      return "plays each caller turn back (the caller's words, at 24 kHz)";
    case 'silent':
      return 'answers every turn with no audio (transcripts and turnComplete only)';
    default:
      return `answers every turn with a ${args.toneHz} Hz tone of ${args.toneMs} ms`;
  }
}

/** What the CLI prints once listening: the two variables to give the service, and how to stop. */
export function startupText(
  emulator: GeminiLiveEmulator,
  args: EmulatorArgs,
): string {
  return [
    `Gemini Live emulator listening on ${emulator.url}`,
    '',
    'Give the service (.env or environment):',
    `  GEMINI_LIVE_URL=${emulator.url}`,
    `  GEMINI_API_KEY=${args.apiKey}`,
    '',
    `agent     ${describeReply(args)}; ${args.silenceMs} ms of silence ends a turn` +
      (args.responseDelayMs > 0
        ? `; replies ${args.responseDelayMs} ms after a turn ends`
        : ''),
    `models    ${args.models.join(', ')}`,
    'Ctrl-C stops it.',
  ].join('\n');
}

/**
 * Starts the emulator and logs each connection's start and close. Closed sessions are dropped from
 * the emulator's list so that a long-running emulator does not keep every call's audio.
 */
export async function runEmulator(
  args: EmulatorArgs,
  log: (line: string) => void = (line) => console.log(line),
): Promise<GeminiLiveEmulator> {
  const emulator = await GeminiLiveEmulator.start(emulatorOptions(args));
  emulator.onSession((session) => {
    log(`session ${session.id} connected (${session.request.api} API)`);
    void session.closed.then(({ code, reason }) => {
      log(`session ${session.id} closed ${code}${reason ? ` ${reason}` : ''}`);
      const at = emulator.sessions.indexOf(session);
      if (at >= 0) emulator.sessions.splice(at, 1);
    });
  });
  log(startupText(emulator, args));
  return emulator;
}

/** Closes the emulator on the first SIGINT/SIGTERM and exits 0 (1 if closing failed). */
function closeOnSignals(emulator: GeminiLiveEmulator): void {
  let closing = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: closing the emulator`);
    emulator.close().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`emulator: close failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  let args: EmulatorArgs;
  try {
    args = parseEmulatorArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(64);
  }
  runEmulator(args).then(closeOnSignals, (error: Error) => {
    console.error(`emulator failed to start: ${error.message}`);
    process.exit(1);
  });
}
