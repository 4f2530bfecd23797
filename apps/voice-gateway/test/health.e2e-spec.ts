import { INestApplication } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { WsAdapter } from '@nestjs/platform-ws';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { App } from 'supertest/types';
import { AppModule } from '../src/app.module';
import { validateEnv } from '../src/config';

describe('Health (e2e)', () => {
  let app: INestApplication<App>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();

    app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new WsAdapter(app));
    await app.listen(0);
  });

  afterAll(async () => {
    await app.close();
  });

  it('GET /health reports ok', async () => {
    const response = await request(app.getHttpServer())
      .get('/health')
      .expect(200)
      .expect('Content-Type', /json/);

    expect(response.body).toEqual({
      status: 'ok',
      uptimeSeconds: expect.any(Number) as number,
    });
  });
});

describe('Config validation at boot', () => {
  const original = process.env.PORT;

  afterEach(() => {
    if (original === undefined) delete process.env.PORT;
    else process.env.PORT = original;
  });

  it('refuses a bad PORT with a message naming it', async () => {
    process.env.PORT = 'abc';

    await expect(
      ConfigModule.forRoot({ ignoreEnvFile: true, validate: validateEnv }),
    ).rejects.toThrow(/^ {2}- PORT: .*\(got "abc"\)$/m);
  });
});
