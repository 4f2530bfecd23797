/**
 * Recording's cost on the audio path: `node -r ts-node/register/transpile-only -r tsconfig-paths/register
 * bench/recording.bench.ts`. One CallBridge (fake socket and Gemini session, real DSP) carries 60 s of
 * call audio both ways — 3 000 caller frames of 20 ms and 1 500 agent chunks of 40 ms, as Twilio and
 * Gemini send them — with and without a CallRecorder. Reported per frame: the bridge's own handlers
 * (what the audio path waits on), and separately the recorder's flush (rendering and queueing, on the
 * call's 250 ms timer, off the audio path), with a sink that takes writes at once.
 */
import {
  AudioBridgeService,
  CallRecorder,
  MULAW_ENCODE_TABLE,
  RecordingMeta,
  RecordingSink,
} from '@app/audio-bridge';
import { CallEvents, CallsService } from '@app/call-manager';
import {
  AgentToolRegistry,
  LiveSession,
  ToolCallScope,
} from '@app/gemini-client';
import { CallBridge, CallFaultBoundary } from '@app/media-gateway';
import { CallLog } from '@app/media-gateway/bridge/call-log';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { speechLike } from './audio-fixtures';

const SECONDS = 60;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);

class NullSocket {
  bufferedAmount = 0;
  readyState: number = WebSocket.OPEN;
  sent = 0;
  send(): void {
    this.sent++;
  }
  close(): void {}
}

class NullSession extends EventEmitter {
  state = 'ready';
  droppedFrames = 0;
  hold(): void {}
  release(): void {}
  sendAudio(): void {}
  sendText(): void {}
  close(): void {}
}

class NullSink implements RecordingSink {
  bytes = 0;
  open(): Promise<void> {
    return Promise.resolve();
  }
  append(chunk: Buffer): Promise<void> {
    this.bytes += chunk.length;
    return Promise.resolve();
  }
  finish(_header: Buffer, _meta: RecordingMeta): Promise<void> {
    return Promise.resolve();
  }
  abort(): Promise<void> {
    return Promise.resolve();
  }
}

function callerPayloads(): string[] {
  const pcm = speechLike(8000, SECONDS);
  const out: string[] = [];
  const codes = Buffer.alloc(160);
  for (let f = 0; f * 160 < pcm.length; f++) {
    for (let i = 0; i < 160; i++)
      codes[i] = MULAW_ENCODE_TABLE[pcm[f * 160 + i] & 0xffff];
    out.push(codes.toString('base64'));
  }
  return out;
}

function agentChunks(): string[] {
  const pcm = speechLike(24000, SECONDS, 7);
  const out: string[] = [];
  for (let at = 0; at < pcm.length; at += 960)
    out.push(Buffer.from(pcm.slice(at, at + 960).buffer).toString('base64'));
  return out;
}

const CALLER = callerPayloads();
const AGENT = agentChunks();
const audio = new AudioBridgeService();

interface Run {
  /** CPU seconds in the bridge's handlers. */
  handlers: number;
  /** CPU seconds in the recorder's flushes (timer). */
  flushes: number;
}

/** One 60 s call through a fresh bridge; times the handlers and the flushes apart. */
function oneCall(record: boolean): Run {
  let clockMs = 0;
  const sink = new NullSink();
  const recorder = record
    ? new CallRecorder({ callSid: 'CA1', sink, now: () => clockMs })
    : undefined;
  const session = new NullSession();
  const log = new CallLog('bench', {});
  const bridge = new CallBridge({
    callSid: 'CA' + '0'.repeat(32),
    streamSid: 'MZ' + '1'.repeat(32),
    socket: new NullSocket() as unknown as WebSocket,
    session: session as unknown as LiveSession,
    pipelines: audio.createCallPipelines(),
    calls: { appendTranscript: () => undefined } as unknown as CallsService,
    log,
    tools: new ToolCallScope(
      { get: () => undefined } as unknown as AgentToolRegistry,
      { callSid: 'CA1', from: '', to: '' },
    ),
    events: { emit: () => undefined } as unknown as CallEvents,
    boundary: new CallFaultBoundary(log, () => undefined),
    owner: { agentLost: () => undefined, goodbyePlayed: () => undefined },
    recorder,
  });
  bridge.start();
  let handlers = 0;
  let flushes = 0;
  for (let f = 0; f < CALLER.length; f++) {
    clockMs = f * 20;
    let t = process.cpuUsage();
    bridge.onCallerMedia(CALLER[f], String(f * 20));
    // Gemini's 40 ms chunks, one every other caller frame (real time both ways).
    if (f % 2 === 0 && AGENT[f / 2])
      session.emit('audio', AGENT[f / 2], 'audio/pcm;rate=24000');
    let used = process.cpuUsage(t);
    handlers += used.user + used.system;
    if (f % 12 === 11) {
      t = process.cpuUsage();
      bridge.recordingTick();
      used = process.cpuUsage(t);
      flushes += used.user + used.system;
    }
  }
  bridge.close();
  return { handlers: handlers / 1e6, flushes: flushes / 1e6 };
}

function best(record: boolean): Run {
  oneCall(record);
  let top: Run = { handlers: Infinity, flushes: Infinity };
  for (let r = 0; r < ROUNDS; r++) {
    const run = oneCall(record);
    if (run.handlers < top.handlers) top = run;
  }
  return top;
}

const off = best(false);
const on = best(true);
const frames = CALLER.length;
const us = (s: number): string => ((s / frames) * 1e6).toFixed(2);
console.log(
  `\nRecording cost, ${SECONDS} s call (${frames} caller frames + ${AGENT.length} agent chunks), best of ${ROUNDS}`,
);
console.log(
  '| | bridge handlers per 20 ms frame | recorder flush per 20 ms (timer) |',
);
console.log('|---|---|---|');
console.log(`| recording off | ${us(off.handlers)} µs | — |`);
console.log(`| recording on | ${us(on.handlers)} µs | ${us(on.flushes)} µs |`);
console.log(
  `\nOn the audio path recording adds ${us(on.handlers - off.handlers)} µs per frame (${(((on.handlers - off.handlers) / off.handlers) * 100).toFixed(1)} %).`,
);
