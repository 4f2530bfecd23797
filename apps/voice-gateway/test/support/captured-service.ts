import { freePort, SOURCE_MAIN } from '@app/simulators';
import { ChildProcess, spawn } from 'node:child_process';

/** Service variables cleared first, so that the caller's environment cannot change a test. */
const SERVICE_VARIABLES = [
  'WEBHOOK_BASE_URL',
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_PHONE_NUMBER',
  'TWILIO_API_BASE_URL',
  'GEMINI_API_KEY',
  'GEMINI_LIVE_URL',
  'GOOGLE_CLOUD_PROJECT',
  'GOOGLE_CLOUD_LOCATION',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'ADMIN_API_KEY',
  'DATABASE_URL',
  'REDIS_URL',
  'EXAMPLE_MODULES',
  'CALL_SUMMARY_WEBHOOK_URL',
  'CALL_SUMMARY_WEBHOOK_SECRET',
  'AGENT_PROFILES_FILE',
  'TRUST_PROXY',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
];

/** The service as a child process with everything it writes to stdout and stderr kept. */
export interface CapturedService {
  url: string;
  child: ChildProcess;
  /** False when the process exited before it served /health/live (it refused to start). */
  started: boolean;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the output once `pattern` appears in it; rejects after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM (unless it exited already), waits for the exit; resolves with all the output. */
  stop(): Promise<string>;
}

/**
 * Starts the service from its TypeScript sources with `env` on a free port and captures its output
 * (JSON log lines on stdout; the bootstrap logger's on stdout/stderr). Resolves once /health/live
 * answers, or once the process exits (a service that refuses to start: `started` is false).
 */
export async function startCapturedService(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<CapturedService> {
  const port = await freePort();
  const cleared = Object.fromEntries(SERVICE_VARIABLES.map((key) => [key, '']));
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      SOURCE_MAIN,
    ],
    {
      env: {
        ...process.env,
        ...cleared,
        NODE_ENV: 'production',
        PORT: String(port),
        // A test may set PORT itself (a bad one, to see the service refuse to start).
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) =>
    child.once('close', () => resolve()),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  let started = false;
  while (!started && child.exitCode === null && child.signalCode === null) {
    try {
      started = (await fetch(`${url}/health/live`)).ok;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Service did not start in ${timeoutMs} ms:\n${output}`);
    }
    if (!started) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!started) await exited;
  return {
    url,
    child,
    started,
    output: () => output,
    waitForOutput: async (pattern, waitMs = 15_000) => {
      const until = Date.now() + waitMs;
      while (!pattern.test(output)) {
        if (Date.now() > until)
          throw new Error(`No ${String(pattern)} in the output:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return output;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null)
        child.kill('SIGTERM');
      await exited;
      return output;
    },
  };
}
