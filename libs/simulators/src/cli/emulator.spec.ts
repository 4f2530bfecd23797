import { ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../service/service.process';
import { GEMINI_LIVE_PATH } from '../gemini/gemini-live.emulator';
import { LiveClient, SETUP } from '../gemini/live-test.client.test-helper';
import { toneInt16 } from '../audio/pcm.util';
import {
  DEFAULT_EMULATOR_API_KEY,
  emulatorOptions,
  parseEmulatorArgs,
} from './emulator';

describe('emulator CLI arguments', () => {
  it('defaults to port 9090, the printed dev key and the echo agent (700 ms ends a turn, as in the demo)', () => {
    expect(parseEmulatorArgs([])).toEqual({
      port: 9090,
      host: '127.0.0.1',
      apiKey: DEFAULT_EMULATOR_API_KEY,
      reply: 'echo',
      silenceMs: 700,
      toneHz: 440,
      toneMs: 1000,
      setupDelayMs: 0,
      responseDelayMs: 0,
      models: ['gemini-3.8-live'],
    });
  });

  it('maps each reply kind onto the emulator options', () => {
    const tone = parseEmulatorArgs(
      ['--reply', 'tone', '--tone-hz', '1000', '--tone-ms', '500'].concat([
        '--silence-ms',
        '700',
        '--models',
        'a, b',
        '--response-delay-ms',
        '400',
      ]),
    );
    expect(emulatorOptions(tone)).toMatchObject({
      reply: { kind: 'tone', hz: 1000, ms: 500 },
      silenceMs: 700,
      responseDelayMs: 400,
      knownModels: ['a', 'b'],
    });
    const silent = emulatorOptions(parseEmulatorArgs(['--reply', 'silent']));
    expect(silent.reply).toEqual({ kind: 'pcm', samples: new Int16Array(0) });
  });

  it('rejects unknown options, bad numbers and unknown reply kinds', () => {
    expect(() => parseEmulatorArgs(['--nope', '1'])).toThrow(
      /unknown option --nope/,
    );
    expect(() => parseEmulatorArgs(['--port', '70000'])).toThrow(
      /--port must be a whole number/,
    );
    expect(() => parseEmulatorArgs(['--reply', 'sing'])).toThrow(
      /--reply must be one of tone\|echo\|silent/,
    );
    expect(() => parseEmulatorArgs(['--port'])).toThrow(/bad argument/);
  });
});

/** The CLI as a child process (what `npm run emulator` runs), with its output kept. */
function spawnCli(args: string[]): {
  child: ChildProcess;
  output: () => string;
  waitFor: (pattern: RegExp) => Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      'libs/simulators/src/cli/emulator.ts',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
  }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = async (pattern: RegExp): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const match = pattern.exec(output);
      if (match) return match;
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`No ${String(pattern)} in the output:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { child, output: () => output, waitFor, exited };
}

describe('npm run emulator (spawned)', () => {
  jest.setTimeout(60_000);
  let cli: ReturnType<typeof spawnCli> | undefined;

  afterEach(async () => {
    if (cli && cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill('SIGKILL');
      await cli.exited;
    }
    cli = undefined;
  });

  it('prints GEMINI_LIVE_URL and the key, answers a Live setup, echoes a turn and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    cli = spawnCli(['--port', String(port), '--silence-ms', '200']);
    const [, url] = await cli.waitFor(/GEMINI_LIVE_URL=(\S+)/);
    expect(url).toBe(`ws://127.0.0.1:${port}`);
    expect(cli.output()).toContain(
      `GEMINI_API_KEY=${DEFAULT_EMULATOR_API_KEY}`,
    );

    const client = await LiveClient.open(`${url}${GEMINI_LIVE_PATH}`, {
      'x-goog-api-key': DEFAULT_EMULATOR_API_KEY,
    });
    client.send(SETUP);
    await client.next((m) => 'setupComplete' in m, 5000);
    client.sendAudio(toneInt16(16000, 800, 300, 8000));
    client.sendAudio(new Int16Array(16000 * 0.4));
    const reply = await client.next(
      (m) => m.serverContent?.modelTurn !== undefined,
      5000,
    );
    expect(
      reply.serverContent?.modelTurn?.parts[0].inlineData.mimeType,
    ).toMatch(/^audio\/pcm;rate=24000$/);
    await cli.waitFor(/session 1 connected \(gemini API\)/);

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect((await client.closed).code).toBe(1006);
    expect(cli.output()).toMatch(/SIGTERM: closing the emulator/);
  });

  it('refuses a wrong key with 1007, as Gemini does', async () => {
    const port = await freePort();
    cli = spawnCli(['--port', String(port), '--api-key', 'my-key']);
    const [, url] = await cli.waitFor(/GEMINI_LIVE_URL=(\S+)/);
    const client = await LiveClient.open(`${url}${GEMINI_LIVE_PATH}?key=wrong`);
    expect((await client.closed).code).toBe(1007);
    cli.child.kill('SIGINT');
    expect((await cli.exited).code).toBe(0);
  });
});
