import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { App } from 'supertest/types';
import { CallManagerModule } from '../call-manager.module';
import { CallsService } from '../calls.service';
import { Clock } from '../clock.service';

const KEY = 'test-admin-key-0123456789';
const sid = (n: number): string => `CA${n.toString(16).padStart(32, '0')}`;

describe('GET /calls?status=…&limit=…&before=… (paging past calls)', () => {
  let app: INestApplication<App>;
  let now = Date.parse('2026-11-24T10:00:00Z');
  const auth = { Authorization: `Bearer ${KEY}` };

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
    for (let n = 1; n <= 3; n++) {
      now += 60_000;
      await calls.reserve({
        callSid: sid(n),
        from: '+1555000000' + n,
        to: '+15550009999',
      });
      await calls.end(sid(n), 'caller-hangup');
    }
    now += 60_000;
    await calls.reserve({
      callSid: sid(4),
      from: '+15550000004',
      to: '+15550009999',
    });
  });

  afterAll(() => app.close());

  it('pages ended calls newest first with nextBefore', async () => {
    const first = await request(app.getHttpServer())
      .get('/calls?status=ended&limit=2')
      .set(auth)
      .expect(200);
    const page1 = first.body as {
      calls: Array<{ callSid: string }>;
      nextBefore?: string;
    };
    expect(page1.calls.map((c) => c.callSid)).toEqual([sid(3), sid(2)]);
    expect(page1.nextBefore).toBeDefined();
    const second = await request(app.getHttpServer())
      .get(
        `/calls?status=ended&limit=2&before=${encodeURIComponent(page1.nextBefore ?? '')}`,
      )
      .set(auth)
      .expect(200);
    const page2 = second.body as {
      calls: Array<{ callSid: string }>;
      nextBefore?: string;
    };
    expect(page2.calls.map((c) => c.callSid)).toEqual([sid(1)]);
    expect(page2.nextBefore).toBeUndefined();
  });

  it('without status lists the live calls only', async () => {
    const res = await request(app.getHttpServer())
      .get('/calls')
      .set(auth)
      .expect(200);
    expect(
      (res.body as { calls: Array<{ callSid: string }> }).calls.map(
        (c) => c.callSid,
      ),
    ).toEqual([sid(4)]);
  });

  it.each([
    ['status=gone', /status must be one of/],
    ['status=ended&limit=0', /limit must be a whole number/],
    ['status=ended&limit=abc', /limit must be a whole number/],
    ['status=ended&before=yesterday', /before must be an ISO-8601 time/],
    ['status=ended&extra=1', /property extra should not exist/],
  ])('answers 400 with the reason to %s', async (query, reason) => {
    const res = await request(app.getHttpServer())
      .get(`/calls?${query}`)
      .set(auth)
      .expect(400);
    expect(JSON.stringify(res.body)).toMatch(reason);
  });
});
