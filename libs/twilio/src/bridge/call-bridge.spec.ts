import { AudioBridgeService } from '@app/audio-bridge';
import { CallEvents, CallsService } from '@app/call-manager';
import {
  AgentToolRegistry,
  LiveSession,
  ToolCallScope,
} from '@app/gemini-client';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { CallBridge } from './call-bridge';
import { CallLog } from './call-log';

class FakeSocket {
  bufferedAmount = 0;
  readyState: number = WebSocket.OPEN;
  sent: Array<Record<string, unknown>> = [];
  closed?: { code: number; reason: string };
  send(text: string): void {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
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
  closes = 0;
  sendAudio(b64: string): void {
    this.audio.push(b64);
  }
  sendText(text: string): void {
    this.texts.push(text);
  }
  close(): void {
    this.closes++;
  }
}

function setup() {
  const socket = new FakeSocket();
  const session = new FakeSession();
  const transcript: Array<[string, string]> = [];
  const ends: string[] = [];
  const calls = {
    appendTranscript: (_sid: string, role: string, text: string) =>
      transcript.push([role, text]),
    end: (_sid: string, reason: string) => {
      ends.push(reason);
      return Promise.resolve();
    },
  } as unknown as CallsService;
  const bridge = new CallBridge({
    callSid: 'CA' + '0'.repeat(32),
    streamSid: 'MZ' + '1'.repeat(32),
    socket: socket as unknown as WebSocket,
    session: session as unknown as LiveSession,
    pipelines: new AudioBridgeService().createCallPipelines(),
    calls,
    log: new CallLog('test', {}),
    tools: noTools(),
    events: noEvents,
    maxCallDurationMs: 60_000,
    idleTimeoutMs: 60_000,
  });
  bridge.start();
  return { socket, session, transcript, ends, bridge };
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
  it('sends caller frames to Gemini as 16 kHz PCM (320 samples per 20 ms frame)', async () => {
    const { session, bridge } = setup();
    bridge.onCallerMedia(Buffer.alloc(160, 0xff).toString('base64'));
    expect(session.audio).toHaveLength(1);
    expect(Buffer.from(session.audio[0], 'base64')).toHaveLength(640);
    await bridge.end('caller-hangup');
  });

  it('skips a caller frame that is not base64 and keeps the call up', async () => {
    const { session, bridge } = setup();
    bridge.onCallerMedia('***');
    bridge.onCallerMedia(Buffer.alloc(160, 0xff).toString('base64'));
    expect(bridge.invalidFrames).toBe(1);
    expect(session.audio).toHaveLength(1);
    await bridge.end('caller-hangup');
  });

  it('sends agent audio to Twilio as μ-law media, a mark every 5 chunks and at the end of a turn', async () => {
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
    await bridge.end('caller-hangup');
  });

  it('answers interrupted with clear at once and forgets pending marks', async () => {
    const { socket, session, bridge, transcript } = setup();
    session.emit('audio', agentChunk, 'audio/pcm;rate=24000');
    session.emit('outputTranscript', 'Our opening hours are');
    session.emit('interrupted');
    expect(socket.sent.map((m) => m.event)).toEqual(['media', 'clear']);
    expect(bridge.pendingMarks.size).toBe(0);
    expect(transcript).toEqual([
      ['agent', 'Our opening hours are [interrupted]'],
    ]);
    await bridge.end('caller-hangup');
  });

  it('appends transcripts per turn in order', async () => {
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
    await bridge.end('caller-hangup');
  });

  it('tells the agent about DTMF digits and records them', async () => {
    const { session, bridge, transcript } = setup();
    bridge.onDtmf('5');
    expect(session.texts[0]).toContain('5');
    expect(transcript).toEqual([['system', 'DTMF 5']]);
    await bridge.end('caller-hangup');
  });

  it('cleans up once however many ends arrive', async () => {
    const { socket, session, bridge, ends } = setup();
    await Promise.all([bridge.end('caller-hangup'), bridge.end('admin')]);
    session.emit('closed', { code: 1000, reason: '', beforeReady: false });
    await bridge.end('stream-stopped');
    expect(ends).toEqual(['caller-hangup']);
    expect(session.closes).toBe(1);
    expect(socket.closed?.code).toBe(1000);
  });

  it('when the agent is lost for good, plays the apology, then ends once Twilio has played it', async () => {
    const { socket, session, ends, bridge } = setup();
    session.emit('closed', {
      code: 1011,
      reason: 'internal',
      beforeReady: false,
    });
    expect(socket.sent.map((m) => m.event)).toEqual(['clear', 'media', 'mark']);
    expect(socket.sent[2].mark).toEqual({ name: 'goodbye' });
    expect(ends).toEqual([]);
    bridge.onMark('goodbye');
    await new Promise((r) => setImmediate(r));
    expect(ends).toEqual(['agent-closed']);
    expect(socket.closed).toBeDefined();
  });

  it('ends an idle stream (no media from Twilio)', async () => {
    const ends: string[] = [];
    const bridge = new CallBridge({
      callSid: 'CA' + '0'.repeat(32),
      streamSid: 'MZ' + '1'.repeat(32),
      socket: new FakeSocket() as unknown as WebSocket,
      session: new FakeSession() as unknown as LiveSession,
      pipelines: new AudioBridgeService().createCallPipelines(),
      calls: {
        appendTranscript: () => undefined,
        end: (_sid: string, reason: string) => {
          ends.push(reason);
          return Promise.resolve();
        },
      } as unknown as CallsService,
      log: new CallLog('test', {}),
      tools: noTools(),
      events: noEvents,
      maxCallDurationMs: 60_000,
      idleTimeoutMs: 100,
    });
    bridge.start();
    await new Promise((r) => setTimeout(r, 250));
    expect(ends).toEqual(['idle-timeout']);
  });
});
