import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** Where `npm run build` puts the service. */
export const BUILT_MAIN = 'dist/apps/voice-gateway/src/main.js';
/**
 * Where a simulated service keeps its call records unless `env` says otherwise: its own database
 * under tmp/, never the real `data/calls.db` (nor a DATABASE_URL from the caller's shell).
 */
export const SIMULATED_DATABASE_URL = 'sqlite:tmp/simulated-calls.db';
/** The service's TypeScript entry, for runs that must not depend on a build. */
export const SOURCE_MAIN = 'apps/voice-gateway/src/main.ts';
const SOURCE_LOADER = [
  '-r',
  'ts-node/register/transpile-only',
  '-r',
  'tsconfig-paths/register',
];

/** The real service running as a child process (what the demo and benchmarks drive). */
export interface ServiceProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** SIGTERM, then waits for exit. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the built service (or, with `fromSource`, the TypeScript sources) with `env` on a free port
 * and resolves once GET /health answers. Its output goes to this process's stderr when `verbose`, else
 * is dropped. Records go to SIMULATED_DATABASE_URL unless `env` sets DATABASE_URL.
 */
export async function startServiceProcess(
  env: Record<string, string>,
  options: {
    verbose?: boolean;
    timeoutMs?: number;
    nodeArgs?: string[];
    fromSource?: boolean;
  } = {},
): Promise<ServiceProcess> {
  if (!options.fromSource && !existsSync(BUILT_MAIN)) {
    throw new Error(`${BUILT_MAIN} not found: run npm run build first`);
  }
  const entry = options.fromSource
    ? [...SOURCE_LOADER, SOURCE_MAIN]
    : [BUILT_MAIN];
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), ...entry],
    {
      env: {
        ...process.env,
        DATABASE_URL: SIMULATED_DATABASE_URL,
        ...env,
        PORT: String(port),
      },
      stdio: [
        'ignore',
        options.verbose ? 'inherit' : 'ignore',
        options.verbose ? 'inherit' : 'pipe',
      ],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => resolve()),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 15000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`Service exited (${child.exitCode}): ${stderr.trim()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Service did not become healthy: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    port,
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
