import WebSocket from 'ws';
import { MediaStreamConnection } from '../stream/media-stream.connection';
import { StreamTokenService } from '../stream/stream-token.service';
import { CallSupervisor } from './call-supervisor.service';
import {
  CALL_SID,
  Deferred,
  lifecycleFixture,
  OPTIONS,
  STREAM_SID,
  until,
} from './call-lifecycle.test-helper';

/** A Twilio `start` for the call with a valid one-time token, as the connection receives it. */
function startFrame(tokens: StreamTokenService): Buffer {
  return Buffer.from(
    JSON.stringify({
      event: 'start',
      sequenceNumber: '1',
      streamSid: STREAM_SID,
      start: {
        accountSid: 'AC' + '0'.repeat(32),
        callSid: CALL_SID,
        streamSid: STREAM_SID,
        tracks: ['inbound'],
        mediaFormat: {
          encoding: 'audio/x-mulaw',
          sampleRate: 8000,
          channels: 1,
        },
        customParameters: { token: tokens.issue(CALL_SID) },
      },
    }),
  );
}

const frame = (message: object): Buffer => Buffer.from(JSON.stringify(message));

/** The call, reserved, then streaming through a real MediaStreamConnection over a fake socket. */
async function streamingCall(options = {}) {
  const f = await lifecycleFixture(options);
  await f.reserve();
  const tokens = new StreamTokenService(OPTIONS);
  new MediaStreamConnection(f.socket as unknown as WebSocket, {
    tokens,
    supervisor: { forStream: () => f.lifecycle } as unknown as CallSupervisor,
    startTimeoutMs: 10_000,
  });
  f.socket.emit('message', startFrame(tokens), false);
  await until(() => f.lifecycle.state === 'live');
  return f;
}

/** Twilio's `stop`: the caller hung up. */
function sendStop(f: { socket: { emit(...args: unknown[]): boolean } }): void {
  f.socket.emit(
    'message',
    frame({ event: 'stop', sequenceNumber: '2', streamSid: STREAM_SID }),
    false,
  );
}

describe('CallLifecycle: every end path leaves nothing behind', () => {
  afterEach(() => jest.useRealTimers());

  it('caller hang-up (`stop`) → caller-hangup', async () => {
    const f = await streamingCall();
    sendStop(f);
    await f.expectNothingLeft('caller-hangup');
    expect(f.socket.closed?.code).toBe(1000);
  });

  it('`stop` and the socket close in one turn → caller-hangup: a stream is handled in arrival order', async () => {
    const f = await streamingCall();
    sendStop(f);
    f.socket.close(1000, 'stopped');
    await f.expectNothingLeft('caller-hangup');
  });

  it('the stream socket closes → stream-stopped', async () => {
    const f = await streamingCall();
    f.socket.close(1006, 'gone');
    await f.expectNothingLeft('stream-stopped');
  });

  it('a frame refused after `start` (binary) → refused, closed with 1003', async () => {
    const f = await streamingCall();
    f.socket.emit('message', Buffer.from([1, 2, 3]), true);
    await f.expectNothingLeft('refused');
    expect(f.socket.closed?.code).toBe(1003);
  });

  it('admin end → admin', async () => {
    const f = await streamingCall();
    expect(await f.calls.requestEnd(CALL_SID, 'admin')).toBe(true);
    await f.expectNothingLeft('admin');
  });

  it('shutdown drain → shutdown', async () => {
    const f = await streamingCall();
    await f.calls.endAll('shutdown');
    await f.expectNothingLeft('shutdown');
  });

  it('max duration → max-duration', async () => {
    jest.useFakeTimers({
      doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'],
    });
    const f = await streamingCall({
      maxCallDurationMs: 5_000,
      idleTimeoutMs: 60_000,
    });
    f.socket.emit(
      'message',
      frame({
        event: 'media',
        sequenceNumber: '2',
        streamSid: STREAM_SID,
        media: {
          track: 'inbound',
          chunk: '1',
          timestamp: '20',
          payload: '/////w==',
        },
      }),
      false,
    );
    await jest.advanceTimersByTimeAsync(5_001);
    await f.expectNothingLeft('max-duration');
  });

  it('media idle → idle-timeout', async () => {
    jest.useFakeTimers({
      doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'],
    });
    const f = await streamingCall({ idleTimeoutMs: 400 });
    await jest.advanceTimersByTimeAsync(600);
    await f.expectNothingLeft('idle-timeout');
  });

  it('Gemini lost for good → the apology plays, then agent-closed once Twilio echoes its mark', async () => {
    const f = await streamingCall();
    f.sessions[0].emit('closed', {
      code: 1011,
      reason: 'internal',
      beforeReady: false,
    });
    expect(f.lifecycle.state).toBe('goodbye');
    expect(f.socket.sent.map((m) => m.event)).toEqual([
      'clear',
      'media',
      'mark',
    ]);
    f.socket.emit(
      'message',
      frame({
        event: 'mark',
        sequenceNumber: '3',
        streamSid: STREAM_SID,
        mark: { name: 'goodbye' },
      }),
      false,
    );
    await f.expectNothingLeft('agent-closed');
  });

  it('a fault inside the call → the apology, then error; nothing thrown to the caller of the event', async () => {
    const f = await streamingCall();
    const throwing = f.lifecycle.boundary.wrap('spec', () => {
      throw new Error('boom');
    });
    expect(() => throwing()).not.toThrow();
    expect(f.lifecycle.state).toBe('goodbye');
    f.socket.emit(
      'message',
      frame({
        event: 'mark',
        sequenceNumber: '3',
        streamSid: STREAM_SID,
        mark: { name: 'goodbye' },
      }),
      false,
    );
    await f.expectNothingLeft('error');
  });

  it('`/call-status` completed before the stream connected → caller-hangup, early session closed', async () => {
    const f = await lifecycleFixture();
    await f.reserve();
    expect(f.sessions).toHaveLength(1);
    await f.calls.recordStatus(CALL_SID, 'completed', 0);
    await f.expectNothingLeft('caller-hangup');
    expect(f.sessions[0].closes).toBe(1);
  });

  it('the stream never connects → stream-never-started, early session closed', async () => {
    jest.useFakeTimers({
      doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'],
    });
    const f = await lifecycleFixture({ streamTokenTtlMs: 1_000 });
    await f.reserve();
    await jest.advanceTimersByTimeAsync(1_001);
    await f.expectNothingLeft('stream-never-started');
  });
});

describe('CallLifecycle: races, ordered by the test', () => {
  it('an end request while the stream is attaching ends the stream too', async () => {
    const f = await lifecycleFixture();
    await f.reserve();
    const gate = new Deferred();
    f.registry.claimGate = gate;
    f.lifecycle.acceptStream(f.socket as unknown as WebSocket, STREAM_SID);
    expect(f.lifecycle.state).toBe('connecting');
    const ending = f.calls.requestEnd(CALL_SID, 'admin');
    await until(() => f.lifecycle.state === 'ending');
    expect(f.socket.closed?.code).toBe(1000);
    gate.resolve();
    await ending;
    await f.expectNothingLeft('admin');
  });

  it('a stream that starts while the early session is reconnecting gets that session', async () => {
    const f = await lifecycleFixture();
    await f.reserve();
    f.sessions[0].state = 'connecting'; // a goAway switch or a reconnect is under way
    await f.stream();
    expect(f.sessions).toHaveLength(1);
    expect(f.lifecycle.liveSession).toBe(f.sessions[0]);
    expect(f.sessions[0].held).toBe(false);
    await f.lifecycle.end('caller-hangup');
    await f.expectNothingLeft('caller-hangup');
  });

  it('a stream that starts after the early session is gone for good gets a new one; the old is closed', async () => {
    const f = await lifecycleFixture();
    await f.reserve();
    f.sessions[0].state = 'closed';
    await f.stream();
    expect(f.sessions).toHaveLength(2);
    expect(f.lifecycle.liveSession).toBe(f.sessions[1]);
    await f.lifecycle.end('caller-hangup');
    await f.expectNothingLeft('caller-hangup');
  });

  it('a second stream for a live call is refused and changes nothing', async () => {
    const f = await streamingCall();
    const other = new (f.socket.constructor as new () => typeof f.socket)();
    expect(
      f.lifecycle.acceptStream(other as unknown as WebSocket, 'MZ2'),
    ).toBeUndefined();
    expect(f.lifecycle.state).toBe('live');
    await f.lifecycle.end('caller-hangup');
    await f.expectNothingLeft('caller-hangup');
  });

  it('ends once however many end requests arrive, from however many paths', async () => {
    const f = await streamingCall();
    await Promise.all([
      f.lifecycle.end('caller-hangup'),
      f.lifecycle.end('admin'),
      f.calls.requestEnd(CALL_SID, 'admin'),
      f.calls.endAll('shutdown'),
    ]);
    f.sessions[0].emit('closed', {
      code: 1000,
      reason: '',
      beforeReady: false,
    });
    await f.expectNothingLeft('caller-hangup');
  });
});
