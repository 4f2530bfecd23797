import {
  GeminiLiveEmulator,
  int16ToBase64,
  mulawToPcm,
  toneAmplitude,
  toneInt16,
  TwilioCallSimulator,
} from '@app/simulators';
import { CallHarness, eventually } from './call-harness';

/** The emulator's per-connection session (typed through the emulator: the class is being renamed). */
export type EmulatedSession = Awaited<
  ReturnType<GeminiLiveEmulator['waitForSession']>
>;

/** A simulated call and the emulator session of its Gemini connection. */
export interface LiveCall {
  call: TwilioCallSimulator;
  session: EmulatedSession;
}

/** Gemini's output rate, and the phone's. */
const AGENT_RATE = 24000;
const PHONE_RATE = 8000;
/** A tone this loud at 24 kHz is about this loud at the phone, well above μ-law noise. */
const AMPLITUDE = 8000;

/** The first emulator session opened after `before` sessions existed. */
export function sessionAfter(
  h: CallHarness,
  before: number,
): Promise<EmulatedSession> {
  return h.emulator.waitForSession(
    3000,
    (s) => h.emulator.sessions.indexOf(s) >= before,
  );
}

/** Places a call whose stream connects; returns it with its Gemini session, set up. */
export async function placeLiveCall(h: CallHarness): Promise<LiveCall> {
  const before = h.emulator.sessions.length;
  const call = h.call();
  expect((await call.placeCall()).stream).toBe(true);
  const session = await sessionAfter(h, before);
  await eventually(() => session.handles.length > 0);
  // Live means its stream is claimed too (in-progress in the registry), not only connected.
  await eventually(async () => {
    const res = await h.admin('/calls');
    const body = (await res.json()) as {
      calls: Array<{ callSid: string; status: string }>;
    };
    return body.calls.some(
      (c) => c.callSid === call.callSid && c.status === 'in-progress',
    );
  });
  return { call, session };
}

/** 24 kHz PCM16 tone, as Gemini would send it. */
export function agentTone(hz: number, ms: number): Int16Array {
  return toneInt16(AGENT_RATE, hz, ms, AMPLITUDE);
}

/** A server message with `samples` as one inlineData part of type `mimeType`. */
export function agentAudio(
  samples: Int16Array,
  mimeType = `audio/pcm;rate=${AGENT_RATE}`,
): object {
  return {
    serverContent: {
      modelTurn: {
        parts: [{ inlineData: { mimeType, data: int16ToBase64(samples) } }],
      },
    },
  };
}

/** The audio the service sent the caller after message index `from`, decoded to 8 kHz PCM16. */
export function audioSentSince(
  call: TwilioCallSimulator,
  from: number,
): Int16Array {
  const chunks = call.received
    .slice(from)
    .map((m) => (m.event === 'media' ? m.message.media?.payload : undefined))
    .filter((payload): payload is string => typeof payload === 'string')
    .map((payload) => mulawToPcm(Buffer.from(payload, 'base64')));
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * Waits until the caller has been sent the `ms`-long `hz` tone the agent sent after message index
 * `from` (the latest half of what arrived is that tone), and returns all audio sent since `from`.
 */
export function agentAudioHeard(
  call: TwilioCallSimulator,
  from: number,
  hz: number,
  ms: number,
): Promise<Int16Array> {
  const tail = Math.round((PHONE_RATE * ms) / 2000);
  return eventually(() => {
    const audio = audioSentSince(call, from);
    if (audio.length < tail) return undefined;
    const level = toneAmplitude(
      audio,
      hz,
      PHONE_RATE,
      audio.length - tail,
      audio.length,
    );
    return level > AMPLITUDE / 2 ? audio : undefined;
  });
}

/** Caller frames the emulator has received on this session. */
export function callerFrames(session: EmulatedSession): number {
  return session.received.filter((m) => m.realtimeInput?.audio).length;
}

/**
 * The call's audio flows both ways from now on: the caller's frames (Twilio's steady 20 ms
 * frames) keep reaching Gemini, and a tone Gemini sends reaches the caller.
 */
export async function expectAudioBothWays(
  { call, session }: LiveCall,
  hz: number,
): Promise<void> {
  const frames = callerFrames(session);
  await eventually(() => callerFrames(session) >= frames + 10);
  const from = call.received.length;
  expect(session.send(agentAudio(agentTone(hz, 200)))).toBe(true);
  await agentAudioHeard(call, from, hz, 200);
}

/** CallSids of the live calls, from the admin API. */
export async function liveCallSids(h: CallHarness): Promise<string[]> {
  const res = await h.admin('/calls');
  expect(res.status).toBe(200);
  const body = (await res.json()) as { calls: Array<{ callSid: string }> };
  return body.calls.map((c) => c.callSid);
}

/** The process is up and the app answers GET /health. */
export async function expectServing(h: CallHarness): Promise<void> {
  expect((await fetch(`${h.baseUrl}/health`)).status).toBe(200);
}

/** `promise`, or a clear failure once `ms` pass. */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: not within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
