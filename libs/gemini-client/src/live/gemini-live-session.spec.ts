import { GeminiLiveEmulator } from '@app/simulators';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { GeminiLiveSession, LiveSessionClosed } from './gemini-live-session';
import { buildSetupMessage } from './live-setup';

const KEY = 'session-spec-key';

function open(
  url: string,
  setup = buildSetupMessage({ model: 'models/gemini-3.8-live', voice: 'Kore' }),
  maxPending = 3,
) {
  const socket = Promise.resolve(
    new WebSocket(url, { headers: { 'x-goog-api-key': KEY } }),
  );
  return new GeminiLiveSession(socket, setup, {
    setupTimeoutMs: 2000,
    maxPending,
  });
}

describe('GeminiLiveSession (against the emulator)', () => {
  let emulator: GeminiLiveEmulator;
  let url: string;

  beforeAll(async () => {
    emulator = await GeminiLiveEmulator.start({
      apiKey: KEY,
      setupDelayMs: 50,
    });
    url = `${emulator.url}/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent`;
  });

  afterAll(() => emulator.close());

  it('sends setup first, holds audio until setupComplete (bounded), then flushes it in order', async () => {
    const session = open(url);
    for (let i = 0; i < 5; i++)
      session.sendAudio(Buffer.from([i, 0]).toString('base64'));
    expect(session.droppedWhileConnecting).toBe(2);
    await session.ready;
    const remote = emulator.sessions[emulator.sessions.length - 1];
    await remote.waitFor(
      () => remote.received.filter((m) => m.realtimeInput).length === 3,
    );
    expect(remote.received[0].setup).toBeDefined();
    const firstBytes = remote.received
      .filter((m) => m.realtimeInput)
      .map((m) => Buffer.from(m.realtimeInput?.audio?.data ?? '', 'base64')[0]);
    expect(firstBytes).toEqual([2, 3, 4]);
    expect(remote.violations).toEqual([]);
    session.close();
  });

  it('drops only the oldest audio from a full pre-ready queue, never a control message', async () => {
    const session = open(url);
    session.sendText('first note');
    for (let i = 0; i < 5; i++)
      session.sendAudio(Buffer.from([i, 0]).toString('base64'));
    session.sendControl({ realtimeInput: { audioStreamEnd: true } });
    expect(session.droppedWhileConnecting).toBe(4);
    await session.ready;
    const remote = emulator.sessions[emulator.sessions.length - 1];
    await remote.waitFor((m) => m.realtimeInput?.audioStreamEnd === true);
    const kinds = remote.received
      .slice(1)
      .map(
        (m) =>
          m.realtimeInput?.text ??
          (m.realtimeInput?.audioStreamEnd
            ? 'end'
            : Buffer.from(m.realtimeInput?.audio?.data ?? '', 'base64')[0]),
      );
    expect(kinds).toEqual(['first note', 4, 'end']);
    session.close();
  });

  it('parses binary server frames into typed events', async () => {
    const session = open(url);
    await session.ready;
    const remote = emulator.sessions[emulator.sessions.length - 1];
    const events: string[] = [];
    session.on('audio', (_data, mime) => events.push(`audio ${mime}`));
    session.on('outputTranscript', (t) => events.push(`out ${t}`));
    session.on('interrupted', () => events.push('interrupted'));
    session.on('turnComplete', () => events.push('turnComplete'));
    session.on('toolCall', (calls) => events.push(`tool ${calls[0].name}`));
    session.on('goAway', (left) => events.push(`goAway ${left}`));
    session.on('resumption', (handle) =>
      events.push(`handle ${handle.length > 0}`),
    );
    remote.send({
      serverContent: {
        modelTurn: {
          parts: [
            { inlineData: { mimeType: 'audio/pcm;rate=24000', data: 'AAAA' } },
            { inlineData: { mimeType: 'audio/pcm;rate=24000', data: 'AQAB' } },
          ],
        },
        outputTranscription: { text: 'hi' },
      },
    });
    remote.send({ serverContent: { interrupted: true } });
    remote.send({ serverContent: { turnComplete: true } });
    remote.send({
      toolCall: { functionCalls: [{ id: 'c1', name: 'lookup', args: {} }] },
    });
    remote.send({ goAway: { timeLeft: '9s' } });
    remote.send({
      sessionResumptionUpdate: { newHandle: 'h-1', resumable: true },
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual([
      'audio audio/pcm;rate=24000',
      'audio audio/pcm;rate=24000',
      'out hi',
      'interrupted',
      'turnComplete',
      'tool lookup',
      'goAway 9s',
      'handle true',
    ]);
    session.close();
  });

  it('reports a refused credential as closed before ready, with the code and reason', async () => {
    const socket = Promise.resolve(
      new WebSocket(url, { headers: { 'x-goog-api-key': 'wrong' } }),
    );
    const session = new GeminiLiveSession(
      socket,
      buildSetupMessage({ model: 'models/gemini-3.8-live', voice: 'Kore' }),
      {
        setupTimeoutMs: 2000,
        maxPending: 10,
      },
    );
    const closed = await new Promise<LiveSessionClosed>((resolve) =>
      session.on('closed', resolve),
    );
    expect(closed.code).toBe(1007);
    expect(closed.beforeReady).toBe(true);
    await expect(session.ready).rejects.toThrow(/1007/);
  });

  it('times out a session that never completes setup', async () => {
    emulator.options.setupDelayMs = 5000;
    const socket = Promise.resolve(
      new WebSocket(url, { headers: { 'x-goog-api-key': KEY } }),
    );
    const session = new GeminiLiveSession(
      socket,
      buildSetupMessage({ model: 'models/gemini-3.8-live', voice: 'Kore' }),
      {
        setupTimeoutMs: 200,
        maxPending: 10,
      },
    );
    const closed = await new Promise<LiveSessionClosed>((resolve) =>
      session.on('closed', resolve),
    );
    expect(closed.reason).toMatch(/no setupComplete within 200 ms/);
    emulator.options.setupDelayMs = 50;
  });
});

describe('GeminiLiveSession: a protocol error after frames in the same read', () => {
  /** An unmasked server text frame (payload under 126 bytes), written raw to bypass ws's checks. */
  const textFrame = (payload: Buffer): Buffer =>
    Buffer.concat([Buffer.from([0x81, payload.length]), payload]);

  it('handles the frames read before the error first, then closes', async () => {
    const server = new WebSocketServer({ port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    server.on('connection', (ws) =>
      ws.once('message', () =>
        (
          ws as unknown as { _socket: { write(b: Buffer): void } }
        )._socket.write(
          Buffer.concat([
            textFrame(Buffer.from(JSON.stringify({ setupComplete: {} }))),
            textFrame(Buffer.from([0xff, 0xfe])), // invalid UTF-8: ws raises 'error'
          ]),
        ),
      ),
    );
    const { port } = server.address() as AddressInfo;
    const session = new GeminiLiveSession(
      Promise.resolve(new WebSocket(`ws://127.0.0.1:${port}`)),
      { setup: {} },
      { setupTimeoutMs: 5000, maxPending: 10 },
    );
    const events: string[] = [];
    session.on('ready', () => events.push('ready'));
    const info = await new Promise<LiveSessionClosed>((resolve) =>
      session.on('closed', resolve),
    );
    await new Promise((resolve) => server.close(resolve));

    expect(events).toEqual(['ready']);
    expect(info.beforeReady).toBe(false);
    expect(info.code).toBe(1006);
  });
});
