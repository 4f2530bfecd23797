import type { CallRecorder } from '@app/audio-bridge';
import type { LiveSession } from '@app/gemini-client';
import { ToolCallScope } from '@app/gemini-client';
import type WebSocket from 'ws';
import { AgentMonitor } from '../agent/agent-monitor';
import { CallBridge, CallBridgeOwner } from '../bridge/call-bridge';
import type { CallLog } from '../bridge/call-log';
import type { CallFaultBoundary } from './call-fault-boundary';
import type { CallLifecycleDeps } from './call-lifecycle.types';
import type { CallTimers } from './call-timers';

/** How often a recorded call's audio is rendered and handed to its writer, and a sync mark considered (ms). */
const RECORDING_FLUSH_MS = 250;

/** One media stream of a call, wired: its bridge and the agent monitor watching it. */
export interface StreamWiring {
  bridge: CallBridge;
  agent: AgentMonitor;
}

/** What wireStream needs from the call that takes the stream (CallLifecycle). */
export interface StreamWiringInput {
  callSid: string;
  streamSid: string;
  socket: WebSocket;
  /** The session the bridge talks to (gated until answering-machine detection on outbound calls). */
  bridgeSession: LiveSession;
  /** The session itself (the agent monitor watches its voice activity and usage). */
  session: LiveSession;
  deps: CallLifecycleDeps;
  boundary: CallFaultBoundary;
  timers: CallTimers;
  owner: CallBridgeOwner;
  log: () => CallLog;
  /** Set when this stream is recorded. */
  recorder?: CallRecorder;
}

/**
 * Builds a stream's bridge (the straight audio path) and its agent monitor (voice activity, usage,
 * stall watchdog), and arms the recording's flush timer (off the audio path: rendering and queueing
 * for the disk run on it, never waiting on it). The bridge is not started: the caller starts it once
 * everything listening to the session is attached.
 */
export function wireStream(input: StreamWiringInput): StreamWiring {
  const { deps, recorder } = input;
  const tools = new ToolCallScope(deps.tools, deps.parties);
  const bridge = new CallBridge({
    callSid: input.callSid,
    streamSid: input.streamSid,
    socket: input.socket,
    session: input.bridgeSession,
    pipelines: deps.audio.createCallPipelines(),
    calls: deps.calls,
    log: input.log(),
    tools,
    events: deps.events,
    boundary: input.boundary,
    owner: input.owner,
    recorder,
  });
  if (recorder)
    input.timers.every('recording', RECORDING_FLUSH_MS, () =>
      bridge.recordingTick(),
    );
  const agent = new AgentMonitor({
    callSid: input.callSid,
    session: input.session,
    bridge,
    tools,
    calls: deps.calls,
    events: deps.events,
    timers: input.timers,
    boundary: input.boundary,
    log: input.log,
    stallTimeoutMs: deps.options.agentStallTimeoutMs,
  });
  return { bridge, agent };
}
