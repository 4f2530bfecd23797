import { MediaGatewayOptions } from '../media-gateway.options';
import { StreamTokenService } from './stream-token.service';

const options = (
  ttl: number,
  authToken = 'shared-auth-token',
): MediaGatewayOptions => ({
  authToken,
  streamTokenTtlMs: ttl,
  maxCallDurationMs: 1,
  streamStartTimeoutMs: 1,
  idleTimeoutMs: 1,
});

describe('StreamTokenService', () => {
  const services: StreamTokenService[] = [];
  const make = (ttl: number, authToken?: string): StreamTokenService => {
    const service = new StreamTokenService(options(ttl, authToken));
    services.push(service);
    return service;
  };

  it('accepts a token once, for its own call only', () => {
    const tokens = make(30_000);
    const token = tokens.issue('CA1');
    expect(tokens.consume(token, 'CA2')).toBe(false);
    expect(tokens.consume(token, 'CA1')).toBe(true);
    expect(tokens.consume(token, 'CA1')).toBe(false);
    expect(tokens.consume(undefined, 'CA1')).toBe(false);
  });

  it('refuses an expired, tampered or malformed token', () => {
    const tokens = make(-1);
    expect(tokens.consume(tokens.issue('CA1'), 'CA1')).toBe(false);
    const live = make(30_000);
    const [expires, nonce, mac] = live.issue('CA1').split('.');
    const later = (parseInt(expires, 36) + 60_000).toString(36);
    expect(live.consume(`${later}.${nonce}.${mac}`, 'CA1')).toBe(false);
    expect(live.consume(`${expires}.${nonce}.${mac}x`, 'CA1')).toBe(false);
    expect(live.consume('not-a-token', 'CA1')).toBe(false);
    expect(live.consume(`${expires}.${nonce}.${mac}.extra`, 'CA1')).toBe(false);
  });

  it('outbound: a token bound to its dial, with its own lifetime, never to a CallSid', () => {
    const tokens = make(30_000);
    const token = tokens.issueForDial('dial-1', 90_000);
    expect(tokens.consume(token, 'CA1')).toBe(false);
    expect(tokens.consume(token, 'CA1', 'dial-2')).toBe(false);
    expect(tokens.consume(token, 'CA1', 'dial-1')).toBe(true);
    expect(tokens.consume(token, 'CA1', 'dial-1')).toBe(false);
    // An inbound token cannot pass for a dial whose id is that CallSid.
    const inbound = tokens.issue('CA9');
    expect(tokens.consume(inbound, 'CA9', 'CA9')).toBe(false);
    const expiry = parseInt(tokens.issueForDial('d', 90_000).split('.')[0], 36);
    expect(expiry - Date.now()).toBeGreaterThan(60_000);
  });

  it('is valid on another instance sharing the auth token, and only there', () => {
    const a = make(30_000);
    const b = make(30_000);
    const other = make(30_000, 'another-account-token');
    const token = a.issue('CA1');
    expect(other.consume(token, 'CA1')).toBe(false);
    expect(b.consume(token, 'CA1')).toBe(true);
  });
});
