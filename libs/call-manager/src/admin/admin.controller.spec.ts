import { INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { App } from 'supertest/types';
import { CALL_HANGUP } from '../call-manager.constants';
import { CallManagerModule } from '../call-manager.module';
import type { CallEndReason, CallHangup } from '../call.types';
import { CallsService } from '../calls.service';

/** The `message` of an error body (a string, or class-validator's list). */
const messageOf = (body: unknown): unknown =>
  (body as { message?: unknown }).message;

const KEY = 'test-admin-key-0123456789';
const sid = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;
const incoming = (n: number) => ({
  callSid: sid(n),
  from: '+15550000001',
  to: '+15550000002',
});

const hangUp = jest.fn<Promise<void>, [string]>();
const hangup: CallHangup = { hangUp };

@Module({
  providers: [{ provide: CALL_HANGUP, useValue: hangup }],
  exports: [CALL_HANGUP],
})
class FakeHangupModule {}

async function startApp(
  adminApiKey: string | undefined,
): Promise<INestApplication<App>> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CallManagerModule.forRootAsync({
        imports: [FakeHangupModule],
        useFactory: () => ({
          adminApiKey,
          maxConcurrentCalls: 5,
          drainTimeoutMs: 0,
        }),
      }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication<INestApplication<App>>({
    logger: false,
  });
  await app.init();
  return app;
}

describe('AdminController (e2e)', () => {
  let app: INestApplication<App>;
  let calls: CallsService;
  const auth = { Authorization: `Bearer ${KEY}` };

  beforeEach(async () => {
    hangUp.mockReset().mockResolvedValue(undefined);
    app = await startApp(KEY);
    calls = app.get(CallsService);
  });

  afterEach(async () => {
    await app.close();
  });

  describe('authentication', () => {
    it.each([
      ['no Authorization header', undefined],
      ['a wrong token', 'Bearer wrong-key'],
      ['a token that extends the key', `Bearer ${KEY}x`],
      [
        'another scheme',
        `Basic ${Buffer.from(`admin:${KEY}`).toString('base64')}`,
      ],
      ['an empty bearer', 'Bearer '],
    ])('answers 401 to %s', async (_, header) => {
      const req = request(app.getHttpServer()).get('/calls');
      if (header !== undefined) void req.set('Authorization', header);
      const res = await req.expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body).toMatchObject({
        statusCode: 401,
        message: 'Missing or invalid admin bearer token',
      });
    });

    it('accepts the scheme in any case', async () => {
      await request(app.getHttpServer())
        .get('/calls')
        .set('Authorization', `bearer ${KEY}`)
        .expect(200);
    });

    it('checks the token before the body', async () => {
      await request(app.getHttpServer())
        .post('/end-call')
        .send({ nope: true })
        .expect(401);
    });

    it.each([undefined, ''])(
      'answers 403 on every route when the key is %p',
      async (adminApiKey) => {
        const disabled = await startApp(adminApiKey);
        try {
          for (const req of [
            request(disabled.getHttpServer()).get('/calls'),
            request(disabled.getHttpServer()).get(`/calls/${sid(1)}`),
            request(disabled.getHttpServer())
              .post('/end-call')
              .send({ callSid: sid(1) }),
          ]) {
            const res = await req.set('Authorization', 'Bearer ').expect(403);
            expect(res.body).toMatchObject({
              statusCode: 403,
              message: 'Admin API is disabled: set ADMIN_API_KEY',
            });
          }
        } finally {
          await disabled.close();
        }
      },
    );
  });

  describe('GET /calls', () => {
    it('lists live calls', async () => {
      await request(app.getHttpServer())
        .get('/calls')
        .set(auth)
        .expect(200)
        .expect('Cache-Control', 'no-store')
        .expect({ calls: [] });

      await calls.reserve(incoming(1));
      await calls.attach(sid(1), { end: jest.fn() }, 'MZ1');
      const res = await request(app.getHttpServer())
        .get('/calls')
        .set(auth)
        .expect(200);
      expect(res.body).toEqual({
        calls: [
          {
            ...incoming(1),
            direction: 'inbound',
            status: 'in-progress',
            startedAt: expect.any(String) as string,
            answeredAt: expect.any(String) as string,
            streamSid: 'MZ1',
            instanceId: expect.any(String) as string,
          },
        ],
      });
    });
  });

  describe('GET /calls/:callSid', () => {
    it('returns a live call with its transcript so far', async () => {
      await calls.reserve(incoming(1));
      calls.appendTranscript(sid(1), 'caller', 'Hello?');
      const res = await request(app.getHttpServer())
        .get(`/calls/${sid(1)}`)
        .set(auth)
        .expect(200);
      expect(res.body).toMatchObject({
        ...incoming(1),
        status: 'ringing',
        transcript: [{ role: 'caller', text: 'Hello?' }],
      });
    });

    it('returns a past call', async () => {
      await calls.reserve(incoming(1));
      await calls.end(sid(1), 'caller-hangup');
      const res = await request(app.getHttpServer())
        .get(`/calls/${sid(1)}`)
        .set(auth)
        .expect(200);
      expect(res.body).toMatchObject({
        status: 'completed',
        endReason: 'caller-hangup',
      });
    });

    it('answers 404 for an unknown call', async () => {
      const res = await request(app.getHttpServer())
        .get(`/calls/${sid(7)}`)
        .set(auth)
        .expect(404);
      expect(res.body).toMatchObject({
        statusCode: 404,
        message: `Call ${sid(7)} not found`,
      });
    });

    it.each(['CA123', `XX${'0'.repeat(32)}`, `CA${'g'.repeat(32)}`])(
      'answers 400 for the malformed callSid %s',
      async (bad) => {
        const res = await request(app.getHttpServer())
          .get(`/calls/${bad}`)
          .set(auth)
          .expect(400);
        expect(res.body).toMatchObject({
          statusCode: 400,
          message: 'callSid must be "CA" followed by 32 hexadecimal characters',
        });
      },
    );
  });

  describe('POST /end-call', () => {
    it('ends a live call', async () => {
      await calls.reserve(incoming(1));
      const control = {
        end: jest.fn((reason: CallEndReason) => calls.end(sid(1), reason)),
      };
      await calls.attach(sid(1), control, 'MZ1');

      await request(app.getHttpServer())
        .post('/end-call')
        .set(auth)
        .send({ callSid: sid(1) })
        .expect(200)
        .expect({ callSid: sid(1), ended: true });

      expect(control.end).toHaveBeenCalledWith('admin');
      expect(hangUp).toHaveBeenCalledWith(sid(1));
      await expect(calls.liveCount()).resolves.toBe(0);
      await expect(calls.get(sid(1))).resolves.toMatchObject({
        status: 'completed',
        endReason: 'admin',
      });
    });

    it('answers 404 for an unknown call', async () => {
      const res = await request(app.getHttpServer())
        .post('/end-call')
        .set(auth)
        .send({ callSid: sid(5) })
        .expect(404);
      expect(messageOf(res.body)).toBe(`Call ${sid(5)} not found`);
      expect(hangUp).not.toHaveBeenCalled();
    });

    it('answers 404 for a call that already ended', async () => {
      await calls.reserve(incoming(1));
      await calls.end(sid(1), 'caller-hangup');
      const res = await request(app.getHttpServer())
        .post('/end-call')
        .set(auth)
        .send({ callSid: sid(1) })
        .expect(404);
      expect(messageOf(res.body)).toBe(
        `Call ${sid(1)} is not live (status completed)`,
      );
    });

    it.each([
      [
        'no body',
        undefined,
        'callSid must be "CA" followed by 32 hexadecimal characters',
      ],
      [
        'a malformed callSid',
        { callSid: 'CA123' },
        'callSid must be "CA" followed by 32 hexadecimal characters',
      ],
      ['a non-string callSid', { callSid: 42 }, 'callSid must be a string'],
      [
        'an unknown field',
        { callSid: sid(1), force: true },
        'property force should not exist',
      ],
    ])('answers 400 to %s', async (_, body, reason) => {
      const req = request(app.getHttpServer()).post('/end-call').set(auth);
      const res = await (body === undefined ? req : req.send(body)).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400 });
      expect(messageOf(res.body)).toContain(reason);
    });
  });
});
