import {
  deleteKeys,
  describeRedis,
  randomKeyPrefix,
  TEST_REDIS_URL,
  UNREACHABLE_REDIS_URL,
} from '@app/call-manager/registry/redis-test.fixture';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import Redis from 'ioredis';
import { GeminiClientModule } from '../gemini-client.module';
import type { GeminiClientOptions } from '../gemini-client.options';
import { liveProxyMetrics } from '../proxy/live-proxy.metrics';
import {
  LIVE_TOKEN_TTL_MS,
  LiveTokenService,
} from '../proxy/live-token.service';
import { InMemorySpentTokenLedger } from './in-memory-spent-token-ledger';
import {
  RedisSpentTokenLedger,
  type RedisSpentTokenLedgerOptions,
} from './redis-spent-token-ledger';
import type { SpentTokenLedger } from './spent-token-ledger.interface';
import { SPENT_TOKEN_LEDGER } from './tokens.constants';

const OPTIONS: GeminiClientOptions = {
  apiKey: 'gemini-key',
  model: 'gemini-test',
  voice: 'Kore',
  proxyTokenSecret: 'shared-admin-key',
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One instance's token service over `ledger`. */
const instanceOver = (ledger?: SpentTokenLedger) =>
  new LiveTokenService(OPTIONS, ledger);

/** How often the proxy has refused a token for `reason` so far. */
async function refusals(reason: string): Promise<number> {
  const { values } = await liveProxyMetrics.refusedTokens.get();
  return values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describeRedis('Browser tokens across instances (Redis ledger)', () => {
  let admin: Redis;
  let prefix: string;
  const ledgers: RedisSpentTokenLedger[] = [];

  const ledger = (options: Partial<RedisSpentTokenLedgerOptions> = {}) => {
    const created = new RedisSpentTokenLedger({
      url: TEST_REDIS_URL,
      keyPrefix: prefix,
      ...options,
    });
    ledgers.push(created);
    return created;
  };

  beforeAll(() => {
    admin = new Redis(TEST_REDIS_URL);
  });

  beforeEach(() => {
    prefix = randomKeyPrefix();
  });

  afterEach(async () => {
    await Promise.all(ledgers.splice(0).map((l) => l.close()));
    await deleteKeys(admin, prefix);
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await admin.quit();
  });

  it('a token spent on instance A is refused on B, and the other way round', async () => {
    const a = instanceOver(ledger());
    const b = instanceOver(ledger());
    const first = a.mint().token;
    await expect(a.consume(first)).resolves.toBe('accepted');
    const reusedBefore = await refusals('reused');
    await expect(b.consume(first)).resolves.toBe('reused');
    await expect(a.consume(first)).resolves.toBe('reused');
    expect(await refusals('reused')).toBe(reusedBefore + 2);

    const second = a.mint().token;
    await expect(b.consume(second)).resolves.toBe('accepted');
    await expect(a.consume(second)).resolves.toBe('reused');
  });

  it('lets exactly one of two instances racing for a token have it', async () => {
    const a = instanceOver(ledger());
    const b = instanceOver(ledger());
    for (let i = 0; i < 10; i++) {
      const { token } = a.mint();
      const verdicts = await Promise.all([a.consume(token), b.consume(token)]);
      expect(verdicts.sort()).toEqual(['accepted', 'reused']);
    }
  });

  it('keeps a spent mark as long as the token lives (plus the clock-skew margin), then forgets it', async () => {
    const spent = ledger({ clockSkewMs: 500 });
    const now = Date.now();
    await expect(spent.spend('t1', now + 1000, now)).resolves.toBe(true);
    const ttl = await admin.pttl(`${prefix}spent:t1`);
    expect(ttl).toBeGreaterThan(1000);
    expect(ttl).toBeLessThanOrEqual(1500);

    const brief = ledger({ clockSkewMs: 0 });
    await expect(brief.spend('t2', Date.now() + 50)).resolves.toBe(true);
    await expect(brief.spend('t2', Date.now() + 50)).resolves.toBe(false);
    await sleep(120);
    await expect(admin.exists(`${prefix}spent:t2`)).resolves.toBe(0);
  });

  it('refuses an expired token as invalid without asking Redis', async () => {
    const shared = ledger();
    const spend = jest.spyOn(shared, 'spend');
    const a = instanceOver(shared);
    const stale = a.mint(Date.now() - LIVE_TOKEN_TTL_MS - 1).token;
    await expect(a.consume(stale)).resolves.toBe('invalid');
    await expect(a.consume('forged.token.here')).resolves.toBe('invalid');
    await expect(shared.spend('t3', Date.now() - 1)).resolves.toBe(false);
    expect(spend).toHaveBeenCalledTimes(1); // only the direct call above
    await expect(admin.exists(`${prefix}spent:t3`)).resolves.toBe(0);
  });

  it('refuses every token while Redis is unreachable (fail closed), logged once and counted', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation();
    const down = ledger({ url: UNREACHABLE_REDIS_URL, commandTimeoutMs: 200 });
    const a = instanceOver(down);
    const before = await refusals('ledger-unavailable');
    await expect(a.consume(a.mint().token)).resolves.toBe('ledger-unavailable');
    await expect(a.consume(a.mint().token)).resolves.toBe('ledger-unavailable');
    expect(await refusals('ledger-unavailable')).toBe(before + 2);
    const outages = warn.mock.calls.filter(
      ([entry]) =>
        (entry as { msg?: string }).msg?.startsWith(
          'Spent-token ledger: Redis unreachable',
        ) ?? false,
    );
    expect(outages).toHaveLength(1);
  });

  it('is what GeminiClientModule spends tokens in when redisUrl is set, closed at shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        GeminiClientModule.forRootAsync({
          useFactory: () => ({ ...OPTIONS, redisUrl: TEST_REDIS_URL }),
        }),
      ],
    }).compile();
    const shared = moduleRef.get<SpentTokenLedger>(SPENT_TOKEN_LEDGER);
    expect(shared).toBeInstanceOf(RedisSpentTokenLedger);
    const a = moduleRef.get(LiveTokenService);
    const b = instanceOver(ledger({ keyPrefix: 'vg:' }));
    const { token } = a.mint();
    await expect(b.consume(token)).resolves.toBe('accepted');
    await expect(a.consume(token)).resolves.toBe('reused');
    const close = jest.spyOn(shared as RedisSpentTokenLedger, 'close');
    await moduleRef.close();
    expect(close).toHaveBeenCalled();
    await admin.del(`vg:spent:live-proxy:${token.split('.')[1]}`);
  });
});

describe('Browser tokens without Redis', () => {
  it('are spent per process: once on each instance (the single-instance default)', async () => {
    const a = instanceOver(new InMemorySpentTokenLedger());
    const b = instanceOver();
    const { token } = a.mint();
    await expect(a.consume(token)).resolves.toBe('accepted');
    await expect(a.consume(token)).resolves.toBe('reused');
    await expect(b.consume(token)).resolves.toBe('accepted');
  });

  it('GeminiClientModule uses the in-memory ledger without redisUrl', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [GeminiClientModule.forRootAsync({ useFactory: () => OPTIONS })],
    }).compile();
    expect(moduleRef.get(SPENT_TOKEN_LEDGER)).toBeInstanceOf(
      InMemorySpentTokenLedger,
    );
    await moduleRef.close();
  });
});
