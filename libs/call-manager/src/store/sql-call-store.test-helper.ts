/** Fixtures shared by the store specs and contract (both SQL dialects run the same scenarios). */
import type { ManagedBackend } from '../backend.types';
import type { CallRecord, TranscriptEntry } from '../call.types';
import type { CallStore } from './call-store.interface';

export type ManagedStore = CallStore & ManagedBackend;

export const close = (store: CallStore | undefined) =>
  (store as ManagedStore | undefined)?.close();

export const sid = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;
export const at = (second: number) =>
  new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString();
export const record = (
  n: number,
  extra: Partial<CallRecord> = {},
): CallRecord => ({
  callSid: sid(n),
  from: '+15550000001',
  to: '+15550000002',
  status: 'ringing',
  startedAt: at(n),
  transcript: [],
  ...extra,
});
export const line = (
  text: string,
  second = 0,
  role: TranscriptEntry['role'] = 'caller',
): TranscriptEntry => ({ role, text, at: at(second) });

/**
 * A call and its transcript written by one store instance survive a restart intact, and the
 * transcript's sequence goes on in the next instance. `reopen` opens the last instance (default: open).
 */
export async function expectSurvivesRestart(
  open: () => Promise<ManagedStore>,
  reopen: () => Promise<ManagedStore> = open,
): Promise<void> {
  const first = await open();
  await first.create(record(1));
  await first.create(record(2, { status: 'in-progress' }));
  await first.appendTranscript(sid(1), [
    line('hello', 2, 'caller'),
    line('hi, how can I help?', 3, 'agent'),
  ]);
  await first.appendTranscript(sid(1), [line('tool: lookup', 4, 'system')]);
  const ended = {
    status: 'completed',
    answeredAt: at(2),
    endedAt: at(9),
    durationSeconds: 7,
    endReason: 'caller-hangup',
    twilioStatus: 'completed',
  } as const;
  await first.update(sid(1), ended);
  await first.close();

  const second = await open();
  const expected: CallRecord = {
    ...record(1),
    ...ended,
    transcript: [
      line('hello', 2, 'caller'),
      line('hi, how can I help?', 3, 'agent'),
      line('tool: lookup', 4, 'system'),
    ],
  };
  await expect(second.get(sid(1))).resolves.toEqual(expected);
  await expect(second.list({ status: 'live' })).resolves.toEqual([
    record(2, { status: 'in-progress' }),
  ]);
  await second.appendTranscript(sid(1), [line('bye', 10)]);
  await second.close();

  const third = await reopen();
  expect((await third.get(sid(1)))?.transcript).toEqual([
    ...expected.transcript,
    line('bye', 10),
  ]);
  await third.close();
}
