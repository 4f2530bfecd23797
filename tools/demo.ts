/**
 * `npm run demo` — the product's main job, offline: starts the real service (built) against the bundled
 * Gemini Live emulator, places a simulated Twilio call that speaks a bundled recording, and prints the
 * call's transcript and where the caller-side audio was written. No accounts needed.
 */
import {
  GeminiLiveEmulator,
  simulateCall,
  startServiceProcess,
} from '@app/simulators';
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CallControlDemo, runCallControlDemo } from './demo-call-control';

const PUBLIC_URL = 'https://voice.demo.invalid';
const AUTH_TOKEN = 'demo-twilio-auth-token';
const ADMIN_KEY = 'demo-admin-key-0123456789';
const GEMINI_KEY = 'demo-gemini-key';
const CALLER_WAV = 'fixtures/audio/caller-question.wav';
const HEARD_WAV = 'tmp/demo-heard.wav';
/** The demo's call records: its own database under tmp/, never the real data/calls.db. */
const DEMO_DATABASE_URL = 'sqlite:tmp/demo-calls.db';

/** The call-control demo the options ask for, or undefined for the inbound call demo. */
function callControlDemo(): CallControlDemo | undefined {
  const { values } = parseArgs({
    options: {
      outbound: { type: 'string' },
      transfer: { type: 'string' },
      hangup: { type: 'boolean' },
    },
  });
  const { outbound, transfer, hangup } = values;
  if (outbound === undefined && transfer === undefined && !hangup)
    return undefined;
  if (
    outbound !== undefined &&
    !['person', 'machine', 'busy'].includes(outbound)
  )
    throw new Error('--outbound must be person, machine or busy');
  if (transfer !== undefined && !['answered', 'no-answer'].includes(transfer))
    throw new Error('--transfer must be answered or no-answer');
  return {
    callee: (outbound ?? 'person') as CallControlDemo['callee'],
    transfer: transfer as CallControlDemo['transfer'],
    hangup,
  };
}

async function main(): Promise<void> {
  const control = callControlDemo();
  if (control) {
    process.exitCode = await runCallControlDemo(control);
    return;
  }
  // The emulator's agent answers each caller turn by playing the caller's words back (at 24 kHz, as
  // Gemini sends audio), so what the caller hears has been through both directions of the bridge.
  const emulator = await GeminiLiveEmulator.start({
    apiKey: GEMINI_KEY,
    reply: { kind: 'echo' },
    silenceMs: 700,
  });
  const service = await startServiceProcess({
    WEBHOOK_BASE_URL: PUBLIC_URL,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    GEMINI_API_KEY: GEMINI_KEY,
    GEMINI_LIVE_URL: emulator.url,
    ADMIN_API_KEY: ADMIN_KEY,
    DATABASE_URL: DEMO_DATABASE_URL,
    LOG_LEVEL: 'warn',
    // The demo shows the bundled examples (off by default in a real deployment).
    EXAMPLE_MODULES: 'opening-hours,call-summary',
  });
  console.log(
    `service     ${service.url} (Gemini Live emulator at ${emulator.url}; records in ${DEMO_DATABASE_URL})`,
  );
  try {
    mkdirSync('tmp', { recursive: true });
    const { code, callSid } = await simulateCall({
      url: service.url,
      publicUrl: PUBLIC_URL,
      authToken: AUTH_TOKEN,
      wav: CALLER_WAV,
      out: HEARD_WAV,
      seconds: 15,
    });
    const res = await fetch(`${service.url}/calls/${callSid}`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    const record = (await res.json()) as {
      status: string;
      endReason?: string;
      durationSeconds?: number;
      transcript: Array<{ role: string; text: string }>;
    };
    console.log(
      `record      ${record.status}, ${record.endReason ?? '-'}, ${record.durationSeconds ?? '?'} s`,
    );
    console.log('transcript');
    for (const entry of record.transcript)
      console.log(`  ${entry.role.padEnd(6)} ${entry.text}`);
    console.log(`\nWhat the caller heard: ${HEARD_WAV}`);
    process.exitCode = code;
  } finally {
    await service.stop();
    await emulator.close();
  }
}

main().catch((err: Error) => {
  console.error(`demo failed: ${err.message}`);
  process.exit(1);
});
