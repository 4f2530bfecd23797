import { AudioBridgeService } from '@app/audio-bridge';
import { CallEvents, CallsService } from '@app/call-manager';
import {
  AgentToolRegistry,
  LiveSession,
  ToolCallScope,
} from '@app/gemini-client';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { CallFaultBoundary } from '../lifecycle/call-fault-boundary';
import { CallBridge, CallBridgeOwner } from './call-bridge';
import { CallLog } from './call-log';

class FakeSocket {
  bufferedAmount = 0;
  readyState: number = WebSocket.OPEN;
  sent: Array<Record<string, unknown>> = [];
  /** How each frame was handed over: a string, or a Buffer sent as text. */
  kinds: string[] = [];
  closed?: { code: number; reason: string };
  send(data: string | Buffer, options?: { binary?: boolean }): void {
    this.kinds.push(
      typeof data === 'string' ? 'string' : `buffer binary=${options?.binary}`,
    );
    this.sent.push(
      JSON.parse(data.toString('utf8')) as Record<string, unknown>,
    );
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
    this.readyState = WebSocket.CLOSED;
  }
}

class FakeSession extends EventEmitter {
  hold(): void {}
  release(): void {}
  state = 'ready';
  droppedFrames = 0;
  audio: string[] = [];
  texts: string[] = [];
  /** What was sent, in order: `audio:<bytes>` or `text`. */
  sends: string[] = [];
  closes = 0;
  sendAudio(b64: string): void {
    this.audio.push(b64);
    this.sends.push(`audio:${Buffer.from(b64, 'base64').length}`);
  }
  sendText(text: string): void {
    this.texts.push(text);
    this.sends.push('text');
  }
  close(): void {
    this.closes++;
  }
}

/**
 * `upstreamFrameMs`: caller audio per message to Gemini (UPSTREAM_FRAME_MS), 20 by default;
 * `streamSid`: Twilio's stream id.
 */
function setup(upstreamFrameMs?: number, streamSid = 'MZ' + '1'.repeat(32)) {
  const socket = new FakeSocket();
  const session = new FakeSession();
  const transcript: Array<[string, string]> = [];
  const faults: string[] = [];
  const owner = { lost: 0, played: 0 };
  const calls = {
    appendTranscript: (_sid: string, role: string, text: string) =>
      transcript.push([role, text]),
  } as unknown as CallsService;
  const log = new CallLog('test', {});
  const boundary = new CallFaultBoundary(log, (where) => faults.push(where));
  const bridgeOwner: CallBridgeOwner = {
    agentLost: () => owner.lost++,
    goodbyePlayed: () => owner.played++,
  };
  const bridge = new CallBridge({
    callSid: 'CA' + '0'.repeat(32),
    streamSid,
    socket: socket as unknown as WebSocket,
    session: session as unknown as LiveSession,
    pipelines: new AudioBridgeService({
      upstreamFrameMs,
    }).createCallPipelines(),
    calls,
    log,
    tools: noTools(),
    events: noEvents,
    boundary,
    owner: bridgeOwner,
  });
  bridge.start();
  return { socket, session, transcript, faults, owner, bridge };
}

const noTools = (): ToolCallScope =>
  new ToolCallScope({ get: () => undefined } as unknown as AgentToolRegistry, {
    callSid: 'CA1',
    from: '',
    to: '',
  });
const noEvents = { emit: () => undefined } as unknown as CallEvents;

const agentChunk = Buffer.alloc(1920).toString('base64'); // 40 ms of 24 kHz silence

describe('CallBridge', () => {
  it('sends caller frames to Gemini as 16 kHz PCM (320 samples per 20 ms frame)', () => {
    const { session, bridge } = setup();
    bridge.onCallerMedia(Buffer.alloc(160, 0xff).toString('base64'));
    expect(session.audio).toHaveLength(1);
    expect(Buffer.from(session.audio[0], 'base64')).toHaveLength(640);
    bridge.close();
  });

  it('with 40 ms upstream frames, sends two caller frames per message; a partial one before DTMF and on close', () => {
    const { session, bridge } = setup(40);
    const frame = Buffer.alloc(160, 0xff).toString('base64');
    bridge.onCallerMedia(frame, '0');
    expect(session.sends).toEqual([]);
    bridge.onCallerMedia(frame, '20');
    bridge.onCallerMedia(frame, '40');
    bridge.onDtmf('5'); // the caller's audio before the key goes first
    bridge.onCallerMedia(frame, '60');
    bridge.close();
    bridge.onCallerMedia(frame, '80'); // after close: nothing
    expect(session.sends).toEqual([
      'audio:1280',
      'audio:640',
      'text',
      'audio:640',
    ]);
  });

  it('skips a caller frame that is not base64 and keeps the call up', () => {
    const { session, bridge } = setup();
    bridge.onCallerMedia('***');
    bridge.onCallerMedia(Buffer.alloc(160, 0xff).toString('base64'));
    expect(bridge.invalidFrames).toBe(1);
    expect(session.audio).toHaveLength(1);
    bridge.close();
  });

  it.each([
    [
      'an ASCII stream id: audio as its bytes in a Buffer, sent as text',
      'MZ' + '1'.repeat(32),
      'buffer binary=false',
    ],
    [
      'any other stream id: audio as a string (ws encodes it as UTF-8)',
      'MZé✓',
      'string',
    ],
  ])('hands Twilio media frames over for %s', (_what, streamSid, kind) => {
    const { socket, session, bridge } = setup(undefined, streamSid);
    session.emit('audio', agentChunk, 'audio/pcm;rate=24000');
    session.emit('turnComplete');
    expect(socket.sent.map((m) => [m.event, m.streamSid])).toEqual([
      ['media', streamSid],
      ['mark', streamSid],
    ]);
    expect(socket.kinds).toEqual([kind, 'string']);
    bridge.close();
  });

  it('sends agent audio to Twilio as μ-law media, a mark every 5 chunks and at the end of a turn', () => {
    const { socket, session, bridge } = setup();
    for (let i = 0; i < 7; i++)
      session.emit('audio', agentChunk, 'audio/pcm;rate=24000');
    session.emit('turnComplete');
    expect(socket.sent.map((m) => m.event)).toEqual([
      ...['media', 'media', 'media', 'media', 'media', 'mark'],
      ...['media', 'media', 'mark'],
    ]);
    const media = socket.sent[0].media as { payload: string };
    expect(Buffer.from(media.payload, 'base64')).toHaveLength(320);
    expect(bridge.pendingMarks.size).toBe(2);
    for (const m of socket.sent.filter((m) => m.event === 'mark'))
      bridge.onMark((m.mark as { name: string }).name);
    expect(bridge.pendingMarks.size).toBe(0);
    bridge.close();
  });

  it('playedOut: false while the agent spoke less than quietMs ago or marks are unechoed; marks the tail first', () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const { socket, session, bridge } = setup();
      const since = performance.now();
      expect(bridge.playedOut(since, 1000)).toBe(false); // quiet for 0 ms
      jest.advanceTimersByTime(1000);
      expect(bridge.playedOut(since, 1000)).toBe(true); // nothing said, nothing queued
      for (let i = 0; i < 3; i++)
        session.emit('audio', agentChunk, 'audio/pcm;rate=24000');
      jest.advanceTimersByTime(999);
      expect(bridge.playedOut(since, 1000)).toBe(false);
      jest.advanceTimersByTime(1);
      // Quiet long enough: the unmarked tail gets a mark, and it must be echoed.
      expect(bridge.playedOut(since, 1000)).toBe(false);
      const marks = socket.sent.filter((m) => m.event === 'mark');
      expect(marks).toHaveLength(1);
      bridge.onMark((marks[0].mark as { name: string }).name);
      expect(bridge.playedOut(since, 1000)).toBe(true);
      bridge.close();
    } finally {
      jest.useRealTimers();
    }
  });

  it('answers interrupted with clear at once and forgets pending marks', () => {
    const { socket, session, bridge, transcript } = setup();
    session.emit('audio', agentChunk, 'audio/pcm;rate=24000');
    session.emit('outputTranscript', 'Our opening hours are');
    session.emit('interrupted');
    expect(socket.sent.map((m) => m.event)).toEqual(['media', 'clear']);
    expect(bridge.pendingMarks.size).toBe(0);
    expect(transcript).toEqual([
      ['agent', 'Our opening hours are [interrupted]'],
    ]);
    bridge.close();
  });

  it('appends transcripts per turn in order', () => {
    const { session, bridge, transcript } = setup();
    session.emit('inputTranscript', 'When are ');
    session.emit('inputTranscript', 'you open?');
    session.emit('outputTranscript', 'From nine ');
    session.emit('outputTranscript', 'to five.');
    session.emit('turnComplete');
    expect(transcript).toEqual([
      ['caller', 'When are you open?'],
      ['agent', 'From nine to five.'],
    ]);
    bridge.close();
  });

  it('tells the agent about DTMF digits and records them', () => {
    const { session, bridge, transcript } = setup();
    bridge.onDtmf('5');
    expect(session.texts[0]).toContain('5');
    expect(transcript).toEqual([['system', 'DTMF 5']]);
    bridge.close();
  });

  it('plays a goodbye prompt in place of queued audio and reports when Twilio has played it', () => {
    const { socket, session, owner, bridge } = setup();
    session.emit('closed', {
      code: 1011,
      reason: 'internal',
      beforeReady: false,
    });
    expect(owner.lost).toBe(1);
    const ms = bridge.playGoodbye(Buffer.alloc(800, 0xff).toString('base64'));
    expect(ms).toBeCloseTo(100, 0);
    expect(socket.sent.map((m) => m.event)).toEqual(['clear', 'media', 'mark']);
    expect(socket.sent[2].mark).toEqual({ name: 'goodbye' });
    session.emit('audio', agentChunk, 'audio/pcm;rate=24000');
    expect(socket.sent).toHaveLength(3); // nothing after the goodbye
    bridge.onMark('goodbye');
    expect(owner.played).toBe(1);
    bridge.close();
  });

  it.each([
    ['an unsupported rate', agentChunk, 'audio/pcm;rate=191999'],
    ['a zero rate', agentChunk, 'audio/pcm;rate=0'],
    ['a rate that is not a number', agentChunk, 'audio/pcm;rate=abc'],
    ['a type that is not PCM', agentChunk, 'audio/mpeg'],
    [
      'a payload that is not base64',
      '***not base64***',
      'audio/pcm;rate=24000',
    ],
  ])(
    'drops agent audio with %s and keeps the call going',
    (_kind, data, mimeType) => {
      const { socket, session, faults, bridge } = setup();
      session.emit('audio', data, mimeType);
      expect(bridge.unusableAgentAudio).toBe(1);
      session.emit('audio', agentChunk, 'audio/pcm;rate=24000');
      expect(socket.sent.map((m) => m.event)).toEqual(['media']);
      expect(faults).toEqual([]);
      bridge.close();
    },
  );

  it('turns a throw inside a Gemini event into a fault of this call, not an exception', () => {
    const { session, faults, bridge } = setup();
    session.emit('audio', { not: 'a string' }, 'audio/pcm;rate=24000');
    session.on('turnComplete', () => undefined);
    const transcript = (
      bridge as unknown as { transcript: { flush?: unknown } }
    ).transcript;
    transcript.flush = () => {
      throw new Error('boom');
    };
    expect(() => session.emit('turnComplete')).not.toThrow();
    expect(faults).toEqual(['gemini:turnComplete']);
    delete transcript.flush; // back to the prototype's
    bridge.close();
  });

  it('releases once: later events and frames are ignored', () => {
    const { socket, session, bridge } = setup();
    bridge.close();
    bridge.close();
    bridge.onCallerMedia(Buffer.alloc(160, 0xff).toString('base64'));
    session.emit('audio', agentChunk, 'audio/pcm;rate=24000');
    expect(session.audio).toHaveLength(0);
    expect(socket.sent).toHaveLength(0);
  });
});
