import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallHarness, eventually } from './call-harness';

/** A number whose agent profile says `recording: true`, and one whose profile says `false`. */
export const RECORDED = '+15005550077';
export const OPTED_OUT = '+15005550078';

/** A temp dir with an AGENT_PROFILES_FILE for those two numbers; recordings go to `<dir>/recordings`. */
export function recordingWorkspace(): {
  dir: string;
  recordings: string;
  profiles: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'vg-recording-'));
  const profiles = join(dir, 'profiles.json');
  writeFileSync(
    profiles,
    JSON.stringify({
      default: { name: 'default' },
      numbers: {
        [RECORDED]: { name: 'recorded', recording: true },
        [OPTED_OUT]: { name: 'private', recording: false },
      },
    }),
  );
  return { dir, recordings: join(dir, 'recordings'), profiles };
}

/** Places a call (to `to`, or the simulator's default number) and returns it with its Gemini session. */
export async function placeRecordedCall(h: CallHarness, to?: string) {
  const before = h.emulator.sessions.length;
  const call = h.call(to ? { to } : {});
  expect((await call.placeCall()).stream).toBe(true);
  const session = await h.emulator.waitForSession(
    3000,
    (s) => h.emulator.sessions.indexOf(s) >= before,
  );
  return { call, session };
}

/** Waits until the call's record is final (the call has fully ended here). */
export async function untilEnded(
  h: CallHarness,
  callSid: string,
): Promise<void> {
  await eventually(
    async () => {
      const res = await h.admin(`/calls/${callSid}`);
      const body = (await res.json()) as { endedAt?: string };
      return body.endedAt ? true : undefined;
    },
    5000,
    100,
  );
}
