import { AudioBridgeService, CallRecorder } from '@app/audio-bridge';
import { CallEvents, CallsService } from '@app/call-manager';
import {
  AgentToolRegistry,
  LiveSession,
  ToolCallScope,
} from '@app/gemini-client';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { CallFaultBoundary } from '../lifecycle/call-fault-boundary';
import { CallBridge } from './call-bridge';
import { CallLog } from './call-log';

class FakeSocket {
  bufferedAmount = 0;
  readyState: number = WebSocket.OPEN;
  sent: Array<Record<string, unknown>> = [];
  /** Twilio frames arrive as strings, or as Buffers sent as text (BoundedFrameSender asciiAudio). */
  send(data: string | Buffer): void {
    this.sent.push(JSON.parse(data.toString()) as Record<string, unknown>);
  }
  close(): void {
    this.readyState = WebSocket.CLOSED;
  }
}

class FakeSession extends EventEmitter {
  state = 'ready';
  droppedFrames = 0;
  hold(): void {}
  release(): void {}
  sendAudio(): void {}
  sendText(): void {}
  close(): void {}
}

/** A recorder stand-in that logs what the bridge hands it, in order. */
function fakeRecorder(opts: { wantsSync?: boolean } = {}) {
  const calls: string[] = [];
  const recorder = {
    caller: (payload: string, ts: number) =>
      calls.push(`caller ${payload.length} @${ts}`),
    agent: (payload: string) => calls.push(`agent ${payload.length}`),
    clear: () => calls.push('clear'),
    markSent: (name: string) => calls.push(`markSent ${name}`),
    markPlayed: (name: string) => calls.push(`markPlayed ${name}`),
    wantsSyncMark: () => opts.wantsSync ?? false,
    flush: () => calls.push('flush'),
    finish: () => calls.push('finish'),
  };
  return { calls, recorder: recorder as unknown as CallRecorder };
}

function setup(recorder?: CallRecorder) {
  const socket = new FakeSocket();
  const session = new FakeSession();
  const log = new CallLog('test', {});
  const faults: string[] = [];
  const bridge = new CallBridge({
    callSid: 'CA' + '0'.repeat(32),
    streamSid: 'MZ' + '1'.repeat(32),
    socket: socket as unknown as WebSocket,
    session: session as unknown as LiveSession,
    pipelines: new AudioBridgeService().createCallPipelines(),
    calls: { appendTranscript: () => undefined } as unknown as CallsService,
    log,
    tools: new ToolCallScope(
      { get: () => undefined } as unknown as AgentToolRegistry,
      { callSid: 'CA1', from: '', to: '' },
    ),
    events: { emit: () => undefined } as unknown as CallEvents,
    boundary: new CallFaultBoundary(log, (where) => faults.push(where)),
    owner: { agentLost: () => undefined, goodbyePlayed: () => undefined },
    recorder,
  });
  bridge.start();
  return { socket, session, bridge, faults };
}

const callerFrame = Buffer.alloc(160, 0xff).toString('base64');
const agentChunk = Buffer.alloc(1920).toString('base64'); // 40 ms of 24 kHz PCM

describe('CallBridge with a recorder', () => {
  it('hands the recorder the payloads it already has: caller frames with their timestamps, agent media as sent, marks, clear', () => {
    const { calls, recorder } = fakeRecorder();
    const { socket, session, bridge, faults } = setup(recorder);
    bridge.onCallerMedia(callerFrame, '40');
    bridge.onCallerMedia('***', '60'); // not base64: skipped, not recorded
    for (let i = 0; i < 5; i++)
      session.emit('audio', agentChunk, 'audio/pcm;rate=24000');
    bridge.onMark('agent-1');
    session.emit('interrupted');
    const sentPayload = (socket.sent[0].media as { payload: string }).payload;
    expect(calls).toEqual([
      `caller ${callerFrame.length} @40`,
      ...Array<string>(5).fill(`agent ${sentPayload.length}`),
      'markSent agent-1',
      'markPlayed agent-1',
      'clear',
    ]);
    expect(faults).toEqual([]);
    bridge.close();
    expect(calls.at(-1)).toBe('finish');
  });

  it('a missing timestamp reaches the recorder as NaN (it then places the frame after the last)', () => {
    const { calls, recorder } = fakeRecorder();
    const { bridge } = setup(recorder);
    bridge.onCallerMedia(callerFrame);
    expect(calls).toEqual([`caller ${callerFrame.length} @NaN`]);
    bridge.close();
  });

  it('the goodbye prompt is recorded in place of what was queued', () => {
    const { calls, recorder } = fakeRecorder();
    const { bridge } = setup(recorder);
    const prompt = Buffer.alloc(800, 0x7f).toString('base64');
    expect(bridge.playGoodbye(prompt)).toBeCloseTo(100, 0);
    expect(calls).toEqual([
      'clear',
      `agent ${prompt.length}`,
      'markSent goodbye',
    ]);
    bridge.close();
  });

  it('recordingTick: a sync mark to Twilio when the recorder asks for one, then a flush; nothing after close', () => {
    const { calls, recorder } = fakeRecorder({ wantsSync: true });
    const { socket, bridge } = setup(recorder);
    bridge.recordingTick();
    expect(socket.sent).toEqual([
      expect.objectContaining({
        event: 'mark',
        mark: { name: 'recording-sync-1' },
      }),
    ]);
    expect(calls).toEqual(['markSent recording-sync-1', 'flush']);
    bridge.close();
    bridge.recordingTick();
    expect(calls).toEqual(['markSent recording-sync-1', 'flush', 'finish']);
  });

  it('finish runs once however often the bridge is closed; a bridge without a recorder is unchanged', () => {
    const { calls, recorder } = fakeRecorder();
    const { bridge } = setup(recorder);
    bridge.close();
    bridge.close();
    expect(calls.filter((c) => c === 'finish')).toHaveLength(1);
    const plain = setup();
    plain.bridge.recordingTick();
    expect(plain.socket.sent).toEqual([]);
    plain.bridge.close();
  });
});
