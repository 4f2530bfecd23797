import {
  BadGatewayException,
  Controller,
  Get,
  INestApplication,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import request from 'supertest';
import { SecretSafeExceptionFilter } from './secret-safe-exception.filter';
import { useSecrets } from './secret-scrubber';

const SECRET = 'upstream-secret-0123456789';

@Controller()
class LeakyController {
  /** An HttpException built from an upstream reply. */
  @Get('http-exception')
  httpException(): never {
    throw new BadGatewayException(`upstream said: bad key ${SECRET}`);
  }

  /** An upstream client's error in the "http-errors" shape, which Nest's default filter echoes. */
  @Get('status-code-error')
  statusCodeError(): never {
    throw Object.assign(new Error(`GET https://api.test/x?key=${SECRET}`), {
      statusCode: 502,
    });
  }

  @Get('plain-error')
  plainError(): never {
    throw new Error(`connect failed: postgres://u:${SECRET}@db/calls`);
  }
}

describe('SecretSafeExceptionFilter', () => {
  let app: INestApplication;

  beforeAll(async () => {
    useSecrets([SECRET]);
    const moduleRef = await Test.createTestingModule({
      controllers: [LeakyController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalFilters(new SecretSafeExceptionFilter(app.getHttpAdapter()));
    await app.init();
  });
  afterAll(() => app.close());

  it.each([
    ['/http-exception', 502, 'upstream said: bad key [redacted]'],
    ['/status-code-error', 502, 'GET https://api.test/x?key=[redacted]'],
    ['/plain-error', 500, 'Internal server error'],
  ])('%s answers %i without the secret', async (path, status, message) => {
    const res = await request(app.getHttpServer() as Server).get(path);
    expect(res.status).toBe(status);
    expect(res.text).not.toContain(SECRET);
    expect((res.body as { message: string }).message).toBe(message);
  });
});
