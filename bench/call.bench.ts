/**
 * `npm run bench:call [-- --calls 1,50 --seconds 10 --stores memory,sqlite,postgres]` — latency the service adds to each direction of a
 * call, measured through the real (built) service running as its own process, between simulated Twilio
 * calls and the Gemini Live emulator in this process:
 *   up:   a Twilio media frame leaves the simulated phone → its realtimeInput.audio reaches the emulator
 *   down: the emulator sends a 40 ms serverContent audio chunk → its Twilio media frame reaches the phone
 * Both ends share this process's monotonic clock. The first second of each call (Gemini setup) is skipped.
 */
import {
  GeminiLiveEmulator,
  EmulatedLiveSession,
  startServiceProcess,
  toneInt16,
  TwilioCallSimulator,
} from '@app/simulators';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PUBLIC_URL = 'https://voice.bench.invalid';
const AUTH_TOKEN = 'bench-twilio-auth-token';
const GEMINI_KEY = 'bench-gemini-key';
const WARMUP_MS = 1000;
const CHUNK_MS = 40;

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

/** One call's timing probes: what was sent when, matched in order with what arrived. */
class CallProbe {
  readonly up: number[] = [];
  readonly down: number[] = [];
  private readonly upSent: number[] = [];
  private readonly downSent: number[] = [];

  constructor(readonly startedAt: number) {}

  frameSent(at: number): void {
    this.upSent.push(at);
  }

  audioAtGemini(at: number): void {
    const sent = this.upSent.shift();
    if (sent !== undefined && sent - this.startedAt > WARMUP_MS)
      this.up.push(at - sent);
  }

  chunkSent(at: number): void {
    this.downSent.push(at);
  }

  mediaAtPhone(at: number): void {
    const sent = this.downSent.shift();
    if (sent !== undefined) this.down.push(at - sent);
  }
}

async function runCall(
  emulator: GeminiLiveEmulator,
  serviceUrl: string,
  seconds: number,
  agentChunk: string,
): Promise<CallProbe> {
  const probe = new CallProbe(performance.now());
  const before = emulator.sessions.length;
  const call = new TwilioCallSimulator({
    serviceUrl,
    publicUrl: PUBLIC_URL,
    authToken: AUTH_TOKEN,
    probe: {
      frameSent: (at) => probe.frameSent(at),
      messageReceived: (event, at) =>
        event === 'media' && probe.mediaAtPhone(at),
    },
  });
  const placed = await call.placeCall();
  if (!placed.stream) throw new Error(`call refused: ${placed.twiml}`);
  const session: EmulatedLiveSession = await emulator.waitForSession(
    5000,
    (s) =>
      emulator.sessions.indexOf(s) >= before &&
      s.request.headers['x-goog-api-key'] === GEMINI_KEY,
  );
  session.onMessage((m) => {
    if (m.realtimeInput?.audio) probe.audioAtGemini(performance.now());
  });
  // The agent talks in real-time 40 ms chunks once the warm-up is over.
  const agent = setInterval(() => {
    if (performance.now() - probe.startedAt < WARMUP_MS) return;
    probe.chunkSent(performance.now());
    session.send({
      serverContent: {
        modelTurn: {
          parts: [
            {
              inlineData: {
                mimeType: 'audio/pcm;rate=24000',
                data: agentChunk,
              },
            },
          ],
        },
      },
    });
  }, CHUNK_MS);
  await call.sendTone(300, seconds * 1000, 3000);
  clearInterval(agent);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await call.hangUp();
  return probe;
}

/** DATABASE_URL for each store the benchmark can run against. */
function storeUrl(store: string, dir: string): string {
  if (store === 'memory') return 'memory:';
  if (store === 'sqlite') return `sqlite:${join(dir, 'calls.db')}`;
  if (store === 'postgres')
    return (
      process.env.BENCH_DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/test'
    );
  throw new Error(`unknown store ${store} (memory, sqlite, postgres)`);
}

async function main(): Promise<void> {
  const counts = arg('calls', '1,50').split(',').map(Number);
  const seconds = Number(arg('seconds', '10'));
  const stores = arg('stores', 'memory,sqlite').split(',');
  // No automatic replies: the benchmark drives the agent's audio itself.
  const emulator = await GeminiLiveEmulator.start({
    apiKey: GEMINI_KEY,
    speechThreshold: 1e9,
  });
  const agentChunk = Buffer.from(
    toneInt16(24000, 440, CHUNK_MS, 6000).buffer,
  ).toString('base64');
  const dir = mkdtempSync(join(tmpdir(), 'bench-call-'));
  console.log(
    `Call latency benchmark — Node ${process.version}, ${seconds} s calls, service in its own process`,
  );
  console.log(
    '| store | concurrent calls | up p50 | up p99 | up max | down p50 | down p99 | down max | frames up / down |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  try {
    for (const store of stores) {
      const service = await startServiceProcess({
        WEBHOOK_BASE_URL: PUBLIC_URL,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        GEMINI_API_KEY: GEMINI_KEY,
        GEMINI_LIVE_URL: emulator.url,
        LOG_LEVEL: 'warn',
        MAX_CONCURRENT_CALLS: String(Math.max(...counts)),
        DATABASE_URL: storeUrl(store, dir),
      });
      try {
        for (const n of counts) {
          const probes = await Promise.all(
            Array.from({ length: n }, (_, i) =>
              new Promise((r) => setTimeout(r, (i * 20) % 1000)).then(() =>
                runCall(emulator, service.url, seconds, agentChunk),
              ),
            ),
          );
          const up = probes.flatMap((p) => p.up).sort((a, b) => a - b);
          const down = probes.flatMap((p) => p.down).sort((a, b) => a - b);
          const ms = (v: number): string => `${v.toFixed(2)} ms`;
          console.log(
            `| ${store} | ${n} | ${ms(percentile(up, 50))} | ${ms(percentile(up, 99))} | ${ms(up[up.length - 1])} | ` +
              `${ms(percentile(down, 50))} | ${ms(percentile(down, 99))} | ${ms(down[down.length - 1])} | ${up.length} / ${down.length} |`,
          );
        }
      } finally {
        await service.stop();
      }
    }
  } finally {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
