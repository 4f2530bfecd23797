import type { CallListCursor, CallStore } from './call-store.interface';
import { at, line, record, sid } from './sql-call-store.test-helper';

/** Behaviour every CallStore backend must show. Call from a backend's spec file. */
export function callStoreContract(
  backend: string,
  create: () => CallStore | Promise<CallStore>,
  dispose?: (store: CallStore) => void | Promise<void>,
): void {
  describe(`${backend} (CallStore contract)`, () => {
    let store: CallStore;

    beforeEach(async () => {
      store = await create();
    });

    afterEach(async () => {
      await dispose?.(store);
    });

    it('creates a record and returns it', async () => {
      await expect(store.create(record(1))).resolves.toBe(true);
      await expect(store.get(sid(1))).resolves.toEqual(record(1));
      await expect(store.get(sid(2))).resolves.toBeUndefined();
    });

    it('refuses a second record with the same CallSid', async () => {
      await store.create(record(1));
      await expect(
        store.create(record(1, { from: '+15559999999' })),
      ).resolves.toBe(false);
      await expect(store.get(sid(1))).resolves.toEqual(record(1));
    });

    it('appends transcript entries in order', async () => {
      await store.create(record(1));
      await expect(
        store.appendTranscript(sid(1), [line('one', 1), line('two', 2)]),
      ).resolves.toBe(true);
      await store.appendTranscript(sid(1), [
        { role: 'agent', text: 'three', at: at(3) },
      ]);
      await store.appendTranscript(sid(1), []);
      const got = await store.get(sid(1));
      expect(got?.transcript).toEqual([
        line('one', 1),
        line('two', 2),
        { role: 'agent', text: 'three', at: at(3) },
      ]);
    });

    it('does not append to an unknown call', async () => {
      await expect(store.appendTranscript(sid(1), [line('x')])).resolves.toBe(
        false,
      );
      await expect(store.get(sid(1))).resolves.toBeUndefined();
    });

    it('merges updates, ignoring callSid, transcript and undefined values', async () => {
      await store.create(record(1));
      await store.appendTranscript(sid(1), [line('kept')]);
      await expect(
        store.update(sid(1), {
          status: 'completed',
          endedAt: at(30),
          durationSeconds: 29,
          endReason: 'caller-hangup',
          twilioStatus: 'completed',
          callSid: sid(2),
          transcript: [],
          answeredAt: undefined,
        }),
      ).resolves.toBe(true);
      await expect(store.get(sid(1))).resolves.toEqual({
        ...record(1),
        status: 'completed',
        endedAt: at(30),
        durationSeconds: 29,
        endReason: 'caller-hangup',
        twilioStatus: 'completed',
        transcript: [line('kept')],
      });
      await expect(store.get(sid(2))).resolves.toBeUndefined();
    });

    it('does not update or create an unknown call', async () => {
      await expect(store.update(sid(1), { status: 'failed' })).resolves.toBe(
        false,
      );
      await expect(store.get(sid(1))).resolves.toBeUndefined();
    });

    it('lists newest first, filtered by status', async () => {
      await store.create(record(1, { status: 'completed', endedAt: at(10) }));
      await store.create(
        record(3, { status: 'in-progress', answeredAt: at(4) }),
      );
      await store.create(record(2, { status: 'failed', endedAt: at(10) }));
      await store.create(record(4));

      const sids = async (query: Parameters<CallStore['list']>[0]) =>
        (await store.list(query)).map((r) => r.callSid);

      await expect(sids({})).resolves.toEqual([sid(4), sid(3), sid(2), sid(1)]);
      await expect(sids({ status: 'live' })).resolves.toEqual([sid(4), sid(3)]);
      await expect(sids({ status: 'ended' })).resolves.toEqual([
        sid(2),
        sid(1),
      ]);
      await expect(sids({ status: 'ringing' })).resolves.toEqual([sid(4)]);
      await expect(sids({ status: 'completed' })).resolves.toEqual([sid(1)]);
    });

    it('pages with limit and before', async () => {
      for (let n = 1; n <= 5; n++) await store.create(record(n));
      const sids = async (query: Parameters<CallStore['list']>[0]) =>
        (await store.list(query)).map((r) => r.callSid);

      await expect(sids({ limit: 2 })).resolves.toEqual([sid(5), sid(4)]);
      await expect(sids({ limit: 2, before: at(4) })).resolves.toEqual([
        sid(3),
        sid(2),
      ]);
      await expect(sids({ before: at(2) })).resolves.toEqual([sid(1)]);
      await expect(sids({ limit: 0 })).resolves.toEqual([]);
    });

    it('pages 50 calls sharing one startedAt with limit 7: each exactly once, in order', async () => {
      const tie = at(30);
      // Created out of order, so insertion order cannot pass for list order.
      const tied = Array.from({ length: 50 }, (_, i) => 101 + ((i * 17) % 50));
      for (const n of tied) await store.create(record(n, { startedAt: tie }));
      await store.create(record(200, { startedAt: at(31) }));
      await store.create(record(7, { startedAt: at(29) }));
      const expected = [
        sid(200),
        ...tied.map(sid).sort((a, b) => (a < b ? 1 : -1)),
        sid(7),
      ];

      const seen: string[] = [];
      let after: CallListCursor | undefined;
      for (let page = 0; page < 20; page++) {
        const calls = await store.list({ limit: 7, after });
        seen.push(...calls.map((r) => r.callSid));
        if (calls.length < 7) break;
        const last = calls[calls.length - 1];
        after = { startedAt: last.startedAt, callSid: last.callSid };
      }
      expect(seen).toEqual(expected);
      expect(new Set(seen).size).toBe(52);
    });

    it('starts a page after a position, whether or not a call is there', async () => {
      for (const n of [1, 2, 3, 4]) {
        await store.create(record(n, { startedAt: at(10) }));
      }
      await store.create(record(5, { startedAt: at(9), status: 'completed' }));
      const sids = async (query: Parameters<CallStore['list']>[0]) =>
        (await store.list(query)).map((r) => r.callSid);

      await expect(
        sids({ after: { startedAt: at(10), callSid: sid(3) } }),
      ).resolves.toEqual([sid(2), sid(1), sid(5)]);
      // Between sid(3) and sid(2): nothing stored there.
      await expect(
        sids({ after: { startedAt: at(10), callSid: `${sid(2)}x` }, limit: 1 }),
      ).resolves.toEqual([sid(2)]);
      // Any ISO form of the time; the status filter still applies.
      await expect(
        sids({
          after: { startedAt: '2025-01-01T01:00:10+01:00', callSid: sid(2) },
          status: 'ended',
        }),
      ).resolves.toEqual([sid(5)]);
      // The legacy `before` passes the whole timestamp; with `after`, the stricter one wins.
      await expect(sids({ before: at(10) })).resolves.toEqual([sid(5)]);
      await expect(
        sids({ after: { startedAt: at(10), callSid: sid(2) }, before: at(11) }),
      ).resolves.toEqual([sid(1), sid(5)]);
      await expect(
        sids({ after: { startedAt: at(10), callSid: sid(2) }, before: at(10) }),
      ).resolves.toEqual([sid(5)]);
    });

    it('counts lost transcript lines on the record', async () => {
      await store.create(record(1));
      await expect(store.get(sid(1))).resolves.not.toHaveProperty(
        'transcriptLinesLost',
      );
      await expect(store.recordTranscriptLoss(sid(1), 3)).resolves.toBe(true);
      await expect(store.recordTranscriptLoss(sid(1), 2)).resolves.toBe(true);
      await expect(store.recordTranscriptLoss(sid(1), 0)).resolves.toBe(true);
      // update() leaves the count alone.
      await store.update(sid(1), { transcriptLinesLost: 99, status: 'failed' });
      await expect(store.get(sid(1))).resolves.toEqual({
        ...record(1),
        status: 'failed',
        transcriptLinesLost: 5,
      });
      await expect(store.list({})).resolves.toEqual([
        { ...record(1), status: 'failed', transcriptLinesLost: 5 },
      ]);
      await expect(store.recordTranscriptLoss(sid(2), 1)).resolves.toBe(false);
      await expect(store.get(sid(2))).resolves.toBeUndefined();
    });

    it('keeps the direction and, once known, who answered an outbound call', async () => {
      await store.create(record(1, { direction: 'outbound' }));
      await store.create(record(2, { direction: 'inbound' }));
      await expect(store.get(sid(1))).resolves.toEqual(
        record(1, { direction: 'outbound' }),
      );
      await expect(
        store.update(sid(1), { answeredBy: 'machine_end_beep' }),
      ).resolves.toBe(true);
      await store.update(sid(1), {
        status: 'completed',
        endReason: 'voicemail',
      });
      const answered = record(1, {
        direction: 'outbound',
        answeredBy: 'machine_end_beep',
        status: 'completed',
        endReason: 'voicemail',
      });
      await expect(store.get(sid(1))).resolves.toEqual(answered);
      await expect(store.list({})).resolves.toEqual([
        record(2, { direction: 'inbound' }),
        answered,
      ]);
    });

    it("keeps a call's token usage, read back as written", async () => {
      await store.create(record(1));
      const usage = {
        promptTokenCount: 120,
        responseTokenCount: 300,
        totalTokenCount: 420,
        promptTokensDetails: [{ modality: 'AUDIO', tokenCount: 120 }],
        responseTokensDetails: [
          { modality: 'AUDIO', tokenCount: 280 },
          { modality: 'TEXT', tokenCount: 20 },
        ],
        messages: 3,
      };
      await expect(store.update(sid(1), { usage })).resolves.toBe(true);
      await expect(store.get(sid(1))).resolves.toEqual(record(1, { usage }));
      await expect(store.list({})).resolves.toEqual([record(1, { usage })]);
    });

    it("keeps a call's transfers, each update replacing the list", async () => {
      await store.create(record(1));
      const dialing = {
        target: 'sales',
        to: '+14155550123',
        reason: 'wants a quote',
        state: 'dialing' as const,
        at: '2026-01-01T00:00:05.000Z',
      };
      await expect(
        store.update(sid(1), { transfers: [dialing] }),
      ).resolves.toBe(true);
      const back = {
        ...dialing,
        state: 'not-answered' as const,
        dialStatus: 'busy',
      };
      const second = {
        ...dialing,
        target: 'support',
        to: 'sip:desk@pbx.example.com',
        state: 'answered' as const,
      };
      await store.update(sid(1), { transfers: [back, second] });
      const transfers = [back, second];
      await expect(store.get(sid(1))).resolves.toEqual(
        record(1, { transfers }),
      );
      await expect(store.list({})).resolves.toEqual([record(1, { transfers })]);
    });

    it("keeps a call's per-turn latencies, read back in order", async () => {
      await store.create(record(1));
      const turnLatencies = [
        { at: '2026-05-01T10:00:03.250Z', ms: 612 },
        { at: '2026-05-01T10:00:09.900Z', ms: 480 },
      ];
      await expect(store.update(sid(1), { turnLatencies })).resolves.toBe(true);
      await expect(store.get(sid(1))).resolves.toEqual(
        record(1, { turnLatencies }),
      );
      await expect(store.list({})).resolves.toEqual([
        record(1, { turnLatencies }),
      ]);
    });

    it('returns at most 50 records when no limit is given', async () => {
      for (let n = 1; n <= 60; n++) await store.create(record(n));
      const all = await store.list({});
      expect(all).toHaveLength(50);
      expect(all[0].callSid).toBe(sid(60));
    });

    it('returns full records, transcripts included, from list', async () => {
      await store.create(record(1));
      await store.appendTranscript(sid(1), [line('hello')]);
      await expect(store.list({})).resolves.toEqual([
        { ...record(1), transcript: [line('hello')] },
      ]);
    });

    it('hands out copies', async () => {
      const input = record(1);
      const entries = [line('hello')];
      await store.create(input);
      await store.appendTranscript(sid(1), entries);
      input.from = 'changed';
      input.transcript.push(line('injected'));
      entries[0].text = 'changed';

      const got = await store.get(sid(1));
      got!.status = 'failed';
      got!.transcript.push(line('injected'));
      const [listed] = await store.list({});
      listed.transcript[0].text = 'changed';

      await expect(store.get(sid(1))).resolves.toEqual({
        ...record(1),
        transcript: [line('hello')],
      });
    });
  });
}
