import { AudioBridgeService } from '@app/audio-bridge';
import type {
  CallEvents,
  CallsService,
  CallTokenUsage,
  TurnLatency,
} from '@app/call-manager';
import {
  AgentToolRegistry,
  LiveSession,
  ToolCallScope,
} from '@app/gemini-client';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { CallBridge } from '../bridge/call-bridge';
import { CallLog } from '../bridge/call-log';
import { CallFaultBoundary } from '../lifecycle/call-fault-boundary';
import { CallTimers } from '../lifecycle/call-timers';
import { AgentMonitor } from './agent-monitor';

/** Test fixtures for AgentMonitor specs: a real bridge and monitor over a fake session and socket. */

export class FakeSocket {
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

export class FakeSession extends EventEmitter {
  state = 'ready';
  droppedFrames = 0;
  texts: string[] = [];
  answers: unknown[] = [];
  hold(): void {}
  release(): void {}
  sendAudio(): void {}
  sendText(text: string): void {
    this.texts.push(text);
  }
  sendToolResponse(answers: unknown[]): void {
    this.answers.push(...answers);
  }
  close(): void {}
}

export const STALL_MS = 1000;
export const chunk = Buffer.alloc(1920).toString('base64'); // 40 ms of 24 kHz silence
export const PCM = 'audio/pcm;rate=24000';

/** A tool whose answer the test releases: `finish()`. */
export function slowTool() {
  let finish!: (value: unknown) => void;
  const registry = {
    get: (name: string) =>
      name === 'lookup'
        ? {
            options: {
              name,
              description: '',
              scheduling: 'WHEN_IDLE',
              timeoutMs: 60_000,
            },
            validate: () => true,
            handler: () => new Promise((resolve) => (finish = resolve)),
          }
        : undefined,
  } as unknown as AgentToolRegistry;
  return { registry, finish: (value: unknown) => finish(value) };
}

/** A clock the test moves (epoch ms). */
export const clock = { now: Date.parse('2026-05-01T10:00:00.000Z') };

export function setup(registry = slowTool().registry) {
  const socket = new FakeSocket();
  const session = new FakeSession();
  const transcript: Array<[string, string]> = [];
  const usage: CallTokenUsage[] = [];
  const latencies: TurnLatency[][] = [];
  const emitted: Array<[string, unknown]> = [];
  const events = {
    emit: (name: string, payload: unknown) => emitted.push([name, payload]),
  } as unknown as CallEvents;
  const calls = {
    appendTranscript: (_sid: string, role: string, text: string) =>
      transcript.push([role, text]),
    recordUsage: (_sid: string, totals: CallTokenUsage) => {
      usage.push(totals);
      return Promise.resolve();
    },
    recordTurnLatencies: (_sid: string, turns: TurnLatency[]) => {
      latencies.push(turns);
      return Promise.resolve();
    },
  } as unknown as CallsService;
  const log = new CallLog('test', {});
  const faults: string[] = [];
  const boundary = new CallFaultBoundary(log, (where) => faults.push(where));
  const timers = new CallTimers(boundary);
  const tools = new ToolCallScope(registry, {
    callSid: 'CA1',
    from: '',
    to: '',
  });
  const bridge = new CallBridge({
    callSid: 'CA1',
    streamSid: 'MZ1',
    socket: socket as unknown as WebSocket,
    session: session as unknown as LiveSession,
    pipelines: new AudioBridgeService().createCallPipelines(),
    calls,
    log,
    tools,
    events,
    boundary,
    owner: { agentLost: () => undefined, goodbyePlayed: () => undefined },
  });
  const monitor = new AgentMonitor({
    callSid: 'CA1',
    session: session as unknown as LiveSession,
    bridge,
    tools,
    calls,
    events,
    timers,
    boundary,
    log: () => log,
    stallTimeoutMs: STALL_MS,
    clock: () => clock.now,
  });
  bridge.start();
  const sentEvents = () => socket.sent.map((m) => m.event);
  const close = () => {
    monitor.close();
    bridge.close();
    timers.clearAll();
  };
  return {
    socket,
    session,
    transcript,
    usage,
    latencies,
    emitted,
    faults,
    monitor,
    events: sentEvents,
    close,
  };
}
