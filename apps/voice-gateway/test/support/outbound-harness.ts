import {
  EmulatedLiveSession,
  FakeTwilioApi,
  FakeTwilioCall,
  GeminiLiveEmulatorOptions,
  toneInt16,
} from '@app/simulators';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AUTH_TOKEN,
  CallHarness,
  loudestWindow,
  startCallHarness,
  toneAmplitude,
} from './call-harness';

export const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
export const CALLER_ID = '+15005550006';
/** Callees the fake Twilio API plays (scripts in startOutboundHarness). */
export const PERSON = '+15550002222';
export const MACHINE = '+15550003333';
export const FAX = '+15550004444';
export const BUSY = '+15550005555';
/** Rings for a minute: a call that holds a slot while the test looks. */
export const SLOW = '+15550006666';
export const VOICEMAIL =
  'Hi, this is Acme sales calling back about your order. Please call us on 555 0100.';
/** The agent's voice in the emulator: 440 Hz when it talks with a person, 660 Hz for a voicemail. */
export const TALK_HZ = 440;
export const VOICEMAIL_HZ = 660;
/** What a callee says before detection answers (must never reach the agent). */
export const CALLEE_HZ = 1000;

const PROFILES = {
  default: { name: 'default', greeting: 'Hello, this is the Acme assistant.' },
  numbers: {
    '+15550000100': {
      name: 'sales',
      greeting: 'Hi, Acme sales here.',
      voicemailMessage: VOICEMAIL,
    },
  },
};

/** Variables an outbound harness sets; blanked when it closes, so the next app starts clean. */
const OUTBOUND_VARIABLES = [
  'TWILIO_PHONE_NUMBER',
  'TWILIO_API_BASE_URL',
  'AGENT_PROFILES_FILE',
  'MAX_CONCURRENT_CALLS',
];

/** The real app, configured for outbound calls against a fake Twilio REST API (or none). */
export interface OutboundHarness {
  h: CallHarness;
  fake?: FakeTwilioApi;
  /** POST /calls with the admin key. */
  dial(body: object): Promise<Response>;
  /** Places a call (201 expected); resolves the fake's call and the Gemini session opened for it. */
  placed(
    body: object,
  ): Promise<{ call: FakeTwilioCall; session: EmulatedLiveSession }>;
  /** GET /calls/:callSid. */
  recordOf(callSid: string): Promise<Record<string, unknown>>;
  /** Live calls (slots held for calls being placed included), from GET /health. */
  liveCount(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts a fake Twilio REST API (unless `withFake` is false) with the callee scripts above, then the
 * app with TWILIO_ACCOUNT_SID, TWILIO_PHONE_NUMBER, TWILIO_API_BASE_URL, the agent profiles file and
 * MAX_CONCURRENT_CALLS=2; `env` overrides. The emulator answers in tones (TALK_HZ, or VOICEMAIL_HZ
 * when asked for a voicemail) unless `agent` gives its options.
 */
export async function startOutboundHarness(
  env: Record<string, string> = {},
  withFake = true,
  agent?: GeminiLiveEmulatorOptions,
): Promise<OutboundHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'vg-outbound-'));
  const profiles = join(dir, 'profiles.json');
  writeFileSync(profiles, JSON.stringify(PROFILES));
  const fake = withFake
    ? await FakeTwilioApi.start({
        accountSid: ACCOUNT_SID,
        authToken: AUTH_TOKEN,
      })
    : undefined;
  const emulator: GeminiLiveEmulatorOptions = agent ?? {
    reply: (context) => ({
      kind: 'tone',
      hz: context.text?.includes('voicemail') ? VOICEMAIL_HZ : TALK_HZ,
      amplitude: 8000,
      ms: 800,
    }),
  };
  const h = await startCallHarness(
    {
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_PHONE_NUMBER: CALLER_ID,
      TWILIO_API_BASE_URL: fake?.url ?? '',
      AGENT_PROFILES_FILE: profiles,
      MAX_CONCURRENT_CALLS: '2',
      ...env,
    },
    emulator,
  );
  if (fake) {
    fake.serviceUrl = h.baseUrl;
    fake.script(PERSON, {
      answeredBy: 'human',
      amdAfterMs: 800,
      speech: toneInt16(8000, CALLEE_HZ, 400, 8000),
    });
    fake.script(MACHINE, {
      answeredBy: 'machine_end_beep',
      amdAfterMs: 900,
      speech: toneInt16(8000, CALLEE_HZ, 700, 8000),
    });
    fake.script(FAX, { answeredBy: 'fax', amdAfterMs: 300 });
    fake.script(BUSY, { outcome: 'busy', ringMs: 100 });
    fake.script(SLOW, { ringMs: 60_000 });
  }
  const dial = (body: object) =>
    h.admin('/calls', { method: 'POST', body: JSON.stringify(body) });
  return {
    h,
    fake,
    dial,
    placed: async (body) => {
      const before = h.emulator.sessions.length;
      const res = await dial(body);
      expect(res.status).toBe(201);
      const { callSid } = (await res.json()) as { callSid: string };
      expect(callSid).toMatch(/^CA[0-9a-f]{32}$/);
      const call = fake?.call(callSid);
      if (!call) throw new Error(`the fake has no call ${callSid}`);
      const session = await h.emulator.waitForSession(
        3000,
        (s) => h.emulator.sessions.indexOf(s) >= before,
      );
      return { call, session };
    },
    recordOf: async (callSid) =>
      (await (await h.admin(`/calls/${callSid}`)).json()) as Record<
        string,
        unknown
      >,
    liveCount: async () => {
      const res = await fetch(`${h.baseUrl}/health`);
      const body = (await res.json()) as {
        checks: { capacity: { live: number } };
      };
      return body.checks.capacity.live;
    },
    close: async () => {
      await h.close();
      await fake?.close();
      rmSync(dir, { recursive: true, force: true });
      for (const name of OUTBOUND_VARIABLES) process.env[name] = '';
    },
  };
}

/** How loud the callee's own voice (CALLEE_HZ) is in what the agent heard (16 kHz PCM). */
export function calleeHeardByAgent(session: EmulatedLiveSession): number {
  const audio = session.callerAudio();
  if (audio.length < 1600) return 0;
  const [from, to] = loudestWindow(audio, 16000, 100);
  return toneAmplitude(audio, CALLEE_HZ, 16000, from, to);
}
