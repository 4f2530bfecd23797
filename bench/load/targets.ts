/**
 * The two targets `bench:load` drives (bench/load.bench.ts): the real service (built, its own process)
 * and the bare relay (bench/load/bare-relay.ts), each reached by simulated phones and each opening its
 * own upstream connections to the load-test Gemini endpoint (upstream.stub.ts).
 */
import {
  callParams,
  startServiceProcess,
  StreamMessageFactory,
  TwilioWebhookClient,
} from '@app/simulators';
import { ChildProcess, fork } from 'node:child_process';
import twilio from 'twilio';
import WebSocket from 'ws';
import { UpstreamConnection, UpstreamStub } from './upstream.stub';

const PUBLIC_URL = 'https://voice.load.invalid';
const AUTH_TOKEN = 'load-twilio-auth-token';
const GEMINI_KEY = 'load-gemini-key';

/** A call whose upstream never connects stops the run with a reason instead of hanging it (ms). */
const SETUP_TIMEOUT_MS = 15_000;

function settled<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} within ${SETUP_TIMEOUT_MS} ms`)),
      SETUP_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface LoadCall {
  phone: WebSocket;
  upstream: UpstreamConnection;
  streamSid: string;
  upSent: number[];
  downSent: number[];
  downReceived: number[];
}

/** A target under load: where phones connect, and how to set up one call. */
export interface Target {
  name: string;
  pid: number;
  connect(upstream: UpstreamStub): Promise<LoadCall>;
  stop(): Promise<void>;
}

/** `countAll`: every message is agent audio (the bare relay forwards Gemini frames unconverted). */
function phoneSocket(
  url: string,
  headers: Record<string, string>,
  call: Partial<LoadCall>,
  countAll = false,
): Promise<WebSocket> {
  const phone = new WebSocket(url, { headers, perMessageDeflate: false });
  phone.on('message', (data: Buffer) => {
    if (countAll || data.includes('"event":"media"'))
      call.downReceived?.push(performance.now());
  });
  phone.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    phone.once('open', () => resolve(phone));
    phone.once('error', reject);
  });
}

export async function serviceTarget(
  upstream: UpstreamStub,
  calls: number,
  upstreamFrameMs: number,
): Promise<Target> {
  const service = await startServiceProcess(
    {
      WEBHOOK_BASE_URL: PUBLIC_URL,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      GEMINI_API_KEY: GEMINI_KEY,
      GEMINI_LIVE_URL: upstream.url,
      LOG_LEVEL: 'warn',
      MAX_CONCURRENT_CALLS: String(calls + 10),
      DATABASE_URL: 'memory:',
      UPSTREAM_FRAME_MS: String(upstreamFrameMs),
    },
    { nodeArgs: process.env.LOAD_NODE_ARGS?.split(' ').filter(Boolean) },
  );
  const wsUrl = `${service.url.replace('http', 'ws')}/media-stream`;
  const streamSignature = twilio.getExpectedTwilioSignature(
    AUTH_TOKEN,
    'wss://voice.load.invalid/media-stream',
    {},
  );
  const webhooks = new TwilioWebhookClient(service.url, PUBLIC_URL, AUTH_TOKEN);
  let n = 0;
  return {
    name:
      upstreamFrameMs === 20 ? 'service' : `service, ${upstreamFrameMs} ms up`,
    pid: service.child.pid ?? 0,
    stop: () => service.stop(),
    async connect(stub) {
      n++;
      const callSid = `CA${n.toString(16).padStart(32, '0')}`;
      const streamSid = `MZ${n.toString(16).padStart(32, '0')}`;
      const identity = {
        callSid,
        accountSid: `AC${'0'.repeat(32)}`,
        streamSid,
        from: '+15550000001',
        to: '+15550000002',
      };
      const upstreamReady = stub.next();
      const res = await webhooks.post(
        '/incoming-call',
        callParams(identity, 'ringing'),
      );
      const token = /name="token" value="([^"]+)"/.exec(res.body)?.[1];
      if (!token) throw new Error(`call ${n} refused`);
      const call: Partial<LoadCall> = {
        streamSid,
        upSent: [],
        downSent: [],
        downReceived: [],
      };
      call.phone = await phoneSocket(
        wsUrl,
        { 'x-twilio-signature': streamSignature },
        call,
      );
      const messages = new StreamMessageFactory(identity);
      call.phone.send(JSON.stringify(messages.connected()));
      call.phone.send(JSON.stringify(messages.start({ callSid, token })));
      call.upstream = await settled(
        upstreamReady,
        `call ${n}: no Gemini setup`,
      );
      return call as LoadCall;
    },
  };
}

export async function relayTarget(upstream: UpstreamStub): Promise<Target> {
  const child: ChildProcess = fork(
    `${__dirname}/bare-relay.ts`,
    [upstream.url],
    {
      execArgv: [
        ...(process.env.LOAD_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        '-r',
        'ts-node/register/transpile-only',
      ],
    },
  );
  const port = await new Promise<number>((resolve) =>
    child.once('message', (message) => resolve(Number(message))),
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    name: 'bare relay',
    pid: child.pid ?? 0,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
    async connect(stub) {
      const upstreamReady = stub.next();
      const call: Partial<LoadCall> = {
        streamSid: 'MZrelay',
        upSent: [],
        downSent: [],
        downReceived: [],
      };
      call.phone = await phoneSocket(`ws://127.0.0.1:${port}`, {}, call, true);
      call.upstream = await settled(
        upstreamReady,
        'relay: no upstream connection',
      );
      return call as LoadCall;
    },
  };
}
