import { StreamTokenService } from './stream-token.service';

describe('StreamTokenService', () => {
  const make = (ttl: number) =>
    new StreamTokenService({
      streamTokenTtlMs: ttl,
      maxCallDurationMs: 1,
      streamStartTimeoutMs: 1,
    });

  it('accepts a token once, for its own call only', () => {
    const tokens = make(30_000);
    const token = tokens.issue('CA1');
    expect(tokens.consume(token, 'CA2')).toBe(false); // wrong call spends it too
    const second = tokens.issue('CA1');
    expect(tokens.consume(second, 'CA1')).toBe(true);
    expect(tokens.consume(second, 'CA1')).toBe(false);
    expect(tokens.consume(undefined, 'CA1')).toBe(false);
    tokens.onModuleDestroy();
  });

  it('refuses an expired token', () => {
    const tokens = make(-1);
    expect(tokens.consume(tokens.issue('CA1'), 'CA1')).toBe(false);
    tokens.onModuleDestroy();
  });
});
