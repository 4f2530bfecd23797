import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { App } from 'supertest/types';
import { CALL_STORE } from '../call-manager.constants';
import { CallManagerModule } from '../call-manager.module';
import { CallsService } from '../calls.service';
import { Clock } from '../clock.service';
import type { CallStore } from '../store/call-store.interface';
import { encodeCallListCursor } from './call-list-cursor.util';

const KEY = 'test-admin-key-0123456789';
const sid = (n: number): string => `CA${n.toString(16).padStart(32, '0')}`;

interface Page {
  calls: Array<{ callSid: string; startedAt: string }>;
  nextCursor?: string;
  nextBefore?: string;
}

describe('GET /calls?status=…&limit=…&cursor=… (paging past calls)', () => {
  let app: INestApplication<App>;
  let now = Date.parse('2026-11-24T10:00:00Z');
  const auth = { Authorization: `Bearer ${KEY}` };
  /** Calls 101…150 all started at this instant. */
  const tie = new Date(Date.parse('2026-11-24T09:00:00Z')).toISOString();

  const get = async (query: string, status = 200): Promise<Page> =>
    (
      await request(app.getHttpServer())
        .get(`/calls?${query}`)
        .set(auth)
        .expect(status)
    ).body as Page;
  const sids = (page: Page) => page.calls.map((c) => c.callSid);

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CallManagerModule.forRootAsync({
          useFactory: () => ({
            adminApiKey: KEY,
            maxConcurrentCalls: 10,
            drainTimeoutMs: 0,
          }),
        }),
      ],
    })
      .overrideProvider(Clock)
      .useValue({ now: () => new Date(now) })
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const calls = app.get(CallsService);
    const reserve = (n: number) =>
      calls.reserve({
        callSid: sid(n),
        from: '+1555000' + String(n).padStart(4, '0'),
        to: '+15550009999',
      });
    // 50 calls sharing one startedAt, created out of CallSid order.
    const saved = now;
    now = Date.parse(tie);
    for (let i = 0; i < 50; i++) {
      const n = 101 + ((i * 17) % 50);
      await reserve(n);
      await calls.end(sid(n), 'caller-hangup');
    }
    now = saved;
    for (let n = 1; n <= 3; n++) {
      now += 60_000;
      await reserve(n);
      await calls.end(sid(n), 'caller-hangup');
    }
    now += 60_000;
    await reserve(4);
  });

  afterAll(() => app.close());

  it('pages 50 calls sharing one startedAt with limit 7: every call exactly once, in order', async () => {
    const seen: string[] = [];
    let page = await get('status=ended&limit=7');
    for (let pages = 1; ; pages++) {
      expect(page.calls.length).toBeLessThanOrEqual(7);
      seen.push(...sids(page));
      if (!page.nextCursor) break;
      expect(page.nextBefore).toBe(page.nextCursor);
      expect(pages).toBeLessThan(20);
      page = await get(
        `status=ended&limit=7&cursor=${encodeURIComponent(page.nextCursor)}`,
      );
    }
    const tied = Array.from({ length: 50 }, (_, i) => sid(101 + i)).reverse();
    expect(seen).toEqual([sid(3), sid(2), sid(1), ...tied]);
  });

  it('hands out an opaque base64url cursor of startedAt|callSid', async () => {
    const page = await get('status=ended&limit=4');
    expect(sids(page)).toEqual([sid(3), sid(2), sid(1), sid(150)]);
    expect(page.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(page.nextCursor!, 'base64url').toString()).toBe(
      `${tie}|${sid(150)}`,
    );
  });

  it('omits the cursor on the last page', async () => {
    const cursor = encodeCallListCursor({ startedAt: tie, callSid: sid(103) });
    const page = await get(`status=ended&limit=7&cursor=${cursor}`);
    expect(sids(page)).toEqual([sid(102), sid(101)]);
    expect(page.nextCursor).toBeUndefined();
    expect(page.nextBefore).toBeUndefined();
  });

  it('still takes before=<ISO time> (skipping the rest of that time) and before=<cursor>', async () => {
    const minute2 = new Date(Date.parse('2026-11-24T10:02:00Z')).toISOString();
    await expect(
      get(`status=ended&limit=100&before=${encodeURIComponent(minute2)}`).then(
        sids,
      ),
    ).resolves.toEqual([
      sid(1),
      ...Array.from({ length: 50 }, (_, i) => sid(150 - i)),
    ]);
    await expect(
      get(`status=ended&limit=2&before=${encodeURIComponent(tie)}`).then(sids),
    ).resolves.toEqual([]);
    const cursor = encodeCallListCursor({ startedAt: tie, callSid: sid(120) });
    await expect(
      get(`status=ended&limit=2&before=${cursor}`).then(sids),
    ).resolves.toEqual([sid(119), sid(118)]);
  });

  it('without status lists the live calls only', async () => {
    await expect(get('').then(sids)).resolves.toEqual([sid(4)]);
  });

  it('shows the transcript lines a call lost in GET /calls/:callSid', async () => {
    await app.get<CallStore>(CALL_STORE).recordTranscriptLoss(sid(2), 3);
    const res = await request(app.getHttpServer())
      .get(`/calls/${sid(2)}`)
      .set(auth)
      .expect(200);
    expect(res.body).toMatchObject({ callSid: sid(2), transcriptLinesLost: 3 });
  });

  const bad = (text: string) =>
    `status=ended&cursor=${Buffer.from(text).toString('base64url')}`;
  const cursor = encodeCallListCursor({ startedAt: tie, callSid: sid(1) });
  it.each([
    ['an unknown status', 'status=gone', /status must be one of/],
    ['limit=0', 'status=ended&limit=0', /limit must be a whole number/],
    ['limit=abc', 'status=ended&limit=abc', /limit must be a whole number/],
    [
      'before that is neither a time nor a cursor',
      'status=ended&before=yesterday',
      /before must be an ISO-8601 time or a previous page's nextCursor/,
    ],
    [
      'a cursor that is not base64url',
      'status=ended&cursor=not%20base64',
      /cursor must be a previous page's nextCursor, passed back unchanged/,
    ],
    ['a cursor without a separator', bad('no separator'), /cursor must be/],
    [
      'a cursor whose time is not in toISOString() form',
      bad(`2026-11-24T09:00:00Z|${sid(1)}`),
      /cursor must be/,
    ],
    [
      'a cursor without a CallSid',
      bad('2026-11-24T09:00:00.000Z|'),
      /cursor must be/,
    ],
    [
      'a cursor with an impossible date',
      bad('2026-13-24T09:00:00.000Z|CA1'),
      /cursor must be/,
    ],
    ['an over-long cursor', bad('x'.repeat(300)), /cursor must be/],
    [
      'cursor and before together',
      `status=ended&cursor=${cursor}&before=${encodeURIComponent(tie)}`,
      /cursor and before cannot be combined/,
    ],
    [
      'an unknown parameter',
      'status=ended&extra=1',
      /property extra should not exist/,
    ],
  ])('answers 400 with the reason to %s', async (_, query, reason) => {
    const res = await request(app.getHttpServer())
      .get(`/calls?${query}`)
      .set(auth)
      .expect(400);
    expect(JSON.stringify(res.body)).toMatch(reason);
  });
});
