/**
 * `npm run demo -- --outbound <person|machine|busy>`, `--transfer <answered|no-answer>`, `--hangup`:
 * call control offline. The real service (built) dials out through twilio-node to the bundled fake
 * Twilio REST API (TWILIO_API_BASE_URL), which plays the callee, answering-machine detection, `<Dial>`
 * and Twilio's signed callbacks; the Gemini Live emulator plays the agent, made to call `transfer_call`
 * or `end_call` once it has greeted. Prints what Twilio was told (REST requests, TwiML, callbacks) and
 * the call record. No accounts needed.
 */
import {
  CalleeScript,
  DialOutcome,
  FakeTwilioApi,
  FakeTwilioCall,
  GeminiLiveEmulator,
  startServiceProcess,
  toneInt16,
} from '@app/simulators';
import { mkdirSync, writeFileSync } from 'node:fs';

const PUBLIC_URL = 'https://voice.demo.invalid';
const ACCOUNT_SID = `AC${'d'.repeat(32)}`;
const AUTH_TOKEN = 'demo-twilio-auth-token';
const ADMIN_KEY = 'demo-admin-key-0123456789';
const GEMINI_KEY = 'demo-gemini-key';
const CALLER_ID = '+15005550006';
const PROFILES_FILE = 'tmp/demo-profiles.json';
const DEMO_DATABASE_URL = 'sqlite:tmp/demo-calls.db';

/** The fake Twilio's callees, by what `--outbound` names. */
const CALLEES: Record<string, { to: string; script: CalleeScript }> = {
  person: {
    to: '+15550002222',
    script: { answeredBy: 'human', amdAfterMs: 800 },
  },
  machine: {
    to: '+15550003333',
    script: {
      answeredBy: 'machine_end_beep',
      amdAfterMs: 1500,
      speech: toneInt16(8000, 1000, 1200, 6000),
    },
  },
  busy: { to: '+15550005555', script: { outcome: 'busy', ringMs: 300 } },
};

const PROFILES = {
  default: {
    name: 'demo',
    greeting: 'Hello, this is the Acme assistant.',
    voicemailMessage: 'Hi, this is Acme. Please call us back on 555 0100.',
    tools: ['end_call', 'transfer_call'],
    transferTargets: { sales: '+14155550123' },
  },
  numbers: {},
};

/** What the demo does: dial out, and optionally make the agent transfer or hang up. */
export interface CallControlDemo {
  callee: 'person' | 'machine' | 'busy';
  transfer?: 'answered' | 'no-answer';
  hangup?: boolean;
}

/** Runs one call-control demo and prints it; resolves with the process exit code. */
export async function runCallControlDemo(
  demo: CallControlDemo,
): Promise<number> {
  mkdirSync('tmp', { recursive: true });
  writeFileSync(PROFILES_FILE, JSON.stringify(PROFILES));
  const emulator = await GeminiLiveEmulator.start({
    apiKey: GEMINI_KEY,
    reply: { kind: 'tone', hz: 440, amplitude: 6000, ms: 1200 },
  });
  const fake = await FakeTwilioApi.start({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    dial: (request) => dialed(request, demo.transfer ?? 'no-answer'),
  });
  for (const { to, script } of Object.values(CALLEES)) fake.script(to, script);
  const service = await startServiceProcess({
    WEBHOOK_BASE_URL: PUBLIC_URL,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_PHONE_NUMBER: CALLER_ID,
    TWILIO_API_BASE_URL: fake.url,
    GEMINI_API_KEY: GEMINI_KEY,
    GEMINI_LIVE_URL: emulator.url,
    ADMIN_API_KEY: ADMIN_KEY,
    DATABASE_URL: DEMO_DATABASE_URL,
    AGENT_PROFILES_FILE: PROFILES_FILE,
    LOG_LEVEL: 'warn',
  });
  fake.serviceUrl = service.url;
  console.log(
    `service     ${service.url} (fake Twilio REST API at ${fake.url}, Gemini Live emulator at ${emulator.url})`,
  );
  try {
    const res = await admin(service.url, '/calls', {
      method: 'POST',
      body: JSON.stringify({ to: CALLEES[demo.callee].to }),
    });
    const body = (await res.json()) as { callSid?: string; message?: string };
    console.log(`POST /calls ${res.status} ${JSON.stringify(body)}`);
    const call = body.callSid ? fake.call(body.callSid) : undefined;
    if (!call) return 1;
    if (demo.transfer || demo.hangup) await agentActs(emulator, call, demo);
    const timeout = setTimeout(() => call.hangUp(), 20_000);
    await call.ended;
    clearTimeout(timeout);
    await printCall(fake, call, service.url);
    return 0;
  } finally {
    await service.stop();
    await fake.close();
    await emulator.close();
  }
}

/** Once the agent has greeted the person, the model calls transfer_call or end_call. */
async function agentActs(
  emulator: GeminiLiveEmulator,
  call: FakeTwilioCall,
  demo: CallControlDemo,
): Promise<void> {
  const session = await emulator.waitForSession(10_000);
  // The greeting has played in full (every mark echoed, nothing queued at "Twilio").
  await waitUntil(() => {
    const stream = call.stream;
    return stream && stream.marksEchoed.length > 0 && !stream.playing
      ? true
      : undefined;
  });
  const functionCall = demo.transfer
    ? {
        id: 'demo-transfer',
        name: 'transfer_call',
        args: {
          target: 'sales',
          reason: 'wants a quote',
          summary: 'Dana wants a quote for 40 chairs.',
        },
      }
    : { id: 'demo-hangup', name: 'end_call', args: { reason: 'done' } };
  session.send({ toolCall: { functionCalls: [functionCall] } });
  if (demo.transfer === 'no-answer') {
    // The caller is back with a new agent session; let it talk, then the caller hangs up.
    await waitUntil(() => (call.streams.length > 1 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    call.hangUp();
  }
}

/** The fake's `<Dial>`: the person answers (their whisper fetched and shown) or nobody does. */
async function dialed(
  request: Parameters<NonNullable<FakeTwilioApi['dialHandler']>>[0],
  outcome: 'answered' | 'no-answer',
): Promise<DialOutcome> {
  const target = request.targets[0];
  console.log(`Twilio dials ${target?.value} (${outcome})`);
  if (outcome === 'no-answer') return { status: 'no-answer' };
  const whisper = await request.fetchTwiml(target?.url ?? '');
  console.log(`whisper TwiML  ${whisper}`);
  return { status: 'completed', durationSeconds: 30 };
}

async function printCall(
  fake: FakeTwilioApi,
  call: FakeTwilioCall,
  serviceUrl: string,
): Promise<void> {
  console.log(
    `callee      ${call.to}: ${call.status}, answered by ${call.answeredBy ?? '-'}`,
  );
  console.log(`verbs run   ${call.verbs.join(' → ')}`);
  for (const update of fake.updates.filter((u) => u.callSid === call.sid))
    console.log(`REST update ${JSON.stringify(update.params)}`);
  for (const callback of call.callbacks)
    console.log(
      `callback    ${callback.kind} ${new URL(callback.url).pathname} → ${callback.status}`,
    );
  // The final record is written just after the stream closes.
  const record = await waitUntil(async () => {
    const res = await admin(serviceUrl, `/calls/${call.sid}`);
    const r = (await res.json()) as Record<string, unknown>;
    return r.endReason ? r : undefined;
  });
  const { transcript, ...rest } = record as { transcript: unknown[] };
  console.log(`record      ${JSON.stringify(rest)}`);
  for (const entry of transcript as Array<{ role: string; text: string }>)
    console.log(`  ${entry.role.padEnd(6)} ${entry.text}`);
}

function admin(
  url: string,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  return fetch(`${url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${ADMIN_KEY}`,
      'content-type': 'application/json',
    },
  });
}

/** Polls `check` every 100 ms until it gives a value (at most 15 s). */
async function waitUntil<T>(
  check: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error('timed out waiting for the call');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
