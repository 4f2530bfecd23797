import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { InMemorySpentTokenLedger } from '../tokens/in-memory-spent-token-ledger';
import type { SpentTokenLedger } from '../tokens/spent-token-ledger.interface';
import type { GeminiConnector } from '../upstream/gemini-connector';
import { LiveProxyGateway } from './live-proxy.gateway';
import { LiveTokenService } from './live-token.service';

/** Enough of a `ws` socket for the gateway: state, send, close (which emits 'close'). */
class FakeSocket extends EventEmitter {
  readyState: number = WebSocket.OPEN;
  readonly sent: string[] = [];
  readonly send = jest.fn((data: Buffer | string) => {
    this.sent.push(data.toString());
  });
  readonly close = jest.fn((code?: number, reason?: string) => {
    if (this.readyState >= WebSocket.CLOSING) return;
    this.readyState = WebSocket.CLOSED;
    this.emit('close', code ?? 1005, Buffer.from(reason ?? ''));
  });
  readonly terminate = jest.fn(() => this.close(1006));

  open(): void {
    this.readyState = WebSocket.OPEN;
    this.emit('open');
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('LiveProxyGateway token checks', () => {
  let upstream: FakeSocket;
  let connector: { connect: jest.Mock<Promise<WebSocket>, []> };

  const gatewayOver = (ledger: SpentTokenLedger) => {
    const tokens = new LiveTokenService(
      { model: 'm', voice: 'v', proxyTokenSecret: 'secret' },
      ledger,
    );
    const gateway = new LiveProxyGateway(
      tokens,
      connector as unknown as GeminiConnector,
    );
    /** A browser connecting with `token` as `key`. */
    const connect = (token: string): FakeSocket => {
      const browser = new FakeSocket();
      gateway.handleConnection(
        browser as unknown as WebSocket,
        {
          url: `/live/ws/x?key=${encodeURIComponent(token)}`,
        } as IncomingMessage,
      );
      return browser;
    };
    return { tokens, connect };
  };

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation();
    upstream = new FakeSocket();
    upstream.readyState = WebSocket.CONNECTING;
    connector = {
      connect: jest.fn(() => Promise.resolve(upstream as unknown as WebSocket)),
    };
  });

  afterEach(() => jest.restoreAllMocks());

  it('refuses a reused or forged token with 1008 before anything reaches Google', async () => {
    const { tokens, connect } = gatewayOver(new InMemorySpentTokenLedger());
    const { token } = tokens.mint();
    connect(token);
    await settle();
    expect(connector.connect).toHaveBeenCalledTimes(1);

    const again = connect(token);
    const forged = connect('0.forged.token');
    await settle();
    for (const browser of [again, forged]) {
      expect(browser.close).toHaveBeenCalledWith(
        1008,
        'invalid, expired or reused token',
      );
    }
    expect(connector.connect).toHaveBeenCalledTimes(1);
  });

  it('fails closed with 1013 when the spent-token ledger cannot be reached', async () => {
    const { tokens, connect } = gatewayOver({
      spend: () => Promise.reject(new Error('Connection is closed.')),
    });
    const browser = connect(tokens.mint().token);
    await settle();
    expect(browser.close).toHaveBeenCalledWith(
      1013,
      'token could not be checked (token store unreachable); try again later',
    );
    expect(connector.connect).not.toHaveBeenCalled();
  });

  it('keeps what the browser sends while its token is spent, and forwards it once upstream opens', async () => {
    const spent = deferred<boolean>();
    const { tokens, connect } = gatewayOver({ spend: () => spent.promise });
    const browser = connect(tokens.mint().token);
    browser.emit('message', Buffer.from('{"setup":{}}'), false);
    await settle();
    expect(connector.connect).not.toHaveBeenCalled();

    spent.resolve(true);
    await settle();
    expect(connector.connect).toHaveBeenCalledTimes(1);
    upstream.open();
    expect(upstream.sent).toEqual(['{"setup":{}}']);
    upstream.emit('message', Buffer.from('{"setupComplete":{}}'));
    expect(browser.sent).toEqual(['{"setupComplete":{}}']);
  });

  it('opens nothing for a browser that left while its token was being spent', async () => {
    const spent = deferred<boolean>();
    const { tokens, connect } = gatewayOver({ spend: () => spent.promise });
    const browser = connect(tokens.mint().token);
    browser.close(1001, 'going away');
    spent.resolve(true);
    await settle();
    expect(connector.connect).not.toHaveBeenCalled();
  });
});
