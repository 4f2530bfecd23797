import {
  CallAudioPipelines,
  CallRecorder,
  InvalidAudioPayloadError,
} from '@app/audio-bridge';
import { CallEvents, CallsService } from '@app/call-manager';
import {
  BoundedFrameSender,
  LiveFunctionCall,
  LiveSession,
  LiveSessionClosed,
  LiveSessionEvents,
  ToolCallScope,
} from '@app/gemini-client';
import { TwilioFrameWriter } from '@app/twilio';
import WebSocket from 'ws';
import type { CallFaultBoundary } from '../lifecycle/call-fault-boundary';
import { mediaMetrics } from '../metrics/media.metrics';
import { CallLog } from './call-log';
import { CallTranscript } from './call-transcript';
import { runToolCall } from './tool-call.runner';

/** The goodbye mark; the call ends when Twilio echoes it (the prompt has played). */
const GOODBYE_MARK = 'goodbye';
/**
 * Marks a recorded call sends while no agent audio is queued: Twilio echoes them at once, so each
 * round trip measures the delay from sending agent audio to the caller hearing it (PlaybackTimeline).
 */
const RECORDING_SYNC_MARK = 'recording-sync-';
/** Agent chunks (40 ms each from Gemini) between playback marks. */
const CHUNKS_PER_MARK = 5;
/** Backpressure towards Twilio: ~6 s of μ-law (base64) in the socket, ~4 s of 40 ms frames queued. */
const TWILIO_HIGH_WATER_BYTES = 64 * 1024;
const TWILIO_MAX_QUEUED_FRAMES = 100;

/** What the bridge tells the call that owns it (CallLifecycle). */
export interface CallBridgeOwner {
  /** The agent is gone for good (every reconnect failed). */
  agentLost(info: LiveSessionClosed): void;
  /** Twilio echoed the goodbye mark: the last prompt has played. */
  goodbyePlayed(): void;
  /** Twilio echoed the last outstanding agent mark: everything the agent said has played. */
  playbackDrained?(): void;
}

export interface CallBridgeDeps {
  callSid: string;
  streamSid: string;
  socket: WebSocket;
  session: LiveSession;
  pipelines: CallAudioPipelines;
  calls: CallsService;
  log: CallLog;
  /** The call's tool calls (validated, timed out, cancellable). */
  tools: ToolCallScope;
  events: CallEvents;
  boundary: CallFaultBoundary;
  owner: CallBridgeOwner;
  /** Set when the call is recorded: handed the payloads as they pass (it never waits on its disk). */
  recorder?: CallRecorder;
}

/**
 * The straight audio path of one call, between one Twilio media stream and one Gemini Live session:
 * caller audio → audio bridge → Gemini; Gemini audio → audio bridge → Twilio `media` + `mark`;
 * `interrupted` → Twilio `clear` at once; transcripts → the call record; tool calls → the call's tools.
 * Every listener runs inside the call's fault boundary. It owns no timers and decides nothing about the
 * call's end: that is CallLifecycle's job, which calls `close()` once.
 */
export class CallBridge {
  readonly callSid: string;
  /** Marks sent with agent audio that Twilio has not yet echoed (audio still queued at Twilio). */
  readonly pendingMarks = new Set<string>();
  /** Bad caller frames skipped (not base64). */
  invalidFrames = 0;
  /** Agent messages skipped because their audio could not be used (rate, type or payload). */
  unusableAgentAudio = 0;
  /** When the last caller media frame arrived (epoch ms). */
  lastMediaAt = Date.now();
  /** When the last agent audio went towards Twilio (performance.now() ms; 0: none yet). */
  private lastAgentAudioAt = 0;
  /** Frames to Twilio: bounded, so a slow Twilio socket cannot grow memory or block other calls. */
  readonly toTwilio: BoundedFrameSender;
  private readonly writer: TwilioFrameWriter;
  private readonly transcript: CallTranscript;
  private markSeq = 0;
  private syncMarks = 0;
  private chunksSinceMark = 0;
  /** Agent audio went to Twilio since the last `clear`: there may be something to clear. */
  private audioSinceClear = false;
  /** Set once the goodbye prompt is queued: nothing else goes to the caller. */
  private farewell = false;
  private closed = false;

  constructor(private readonly deps: CallBridgeDeps) {
    this.callSid = deps.callSid;
    this.writer = new TwilioFrameWriter(deps.streamSid);
    this.transcript = new CallTranscript(deps.calls, deps.callSid);
    this.toTwilio = new BoundedFrameSender(deps.socket, {
      highWaterBytes: TWILIO_HIGH_WATER_BYTES,
      maxQueuedFrames: TWILIO_MAX_QUEUED_FRAMES,
      // Media frames are JSON around base64 and the stream id: ASCII whenever the id is (its UTF-8
      // takes one byte a character).
      asciiAudio:
        Buffer.byteLength(deps.streamSid, 'utf8') === deps.streamSid.length,
    });
  }

  /** Wires the session's events (inside the fault boundary), then plays what the agent said early. */
  start(): void {
    const { session, log, boundary } = this.deps;
    const on = <K extends keyof LiveSessionEvents>(
      name: K,
      listener: (...args: LiveSessionEvents[K]) => void,
    ): void => {
      const guarded = boundary.wrap(`gemini:${name}`, listener);
      session.on(name, guarded as Parameters<LiveSession['on']>[1]);
    };
    on('audio', (data: string, mimeType: string | undefined) =>
      this.onAgentAudio(data, mimeType),
    );
    on('interrupted', () => this.bargeIn('interrupted'));
    on('inputTranscript', (text: string) =>
      this.transcript.heard('caller', text),
    );
    on('outputTranscript', (text: string) =>
      this.transcript.heard('agent', text),
    );
    on('turnComplete', () => {
      this.transcript.flush('caller', 'agent');
      if (this.chunksSinceMark > 0) this.sendMark();
    });
    on('closed', (info: LiveSessionClosed) => {
      if (!this.closed) this.deps.owner.agentLost(info);
    });
    on('toolCall', (calls: LiveFunctionCall[]) => {
      for (const call of calls)
        boundary.track('tool', runToolCall(call, this.deps, this.toolSink));
    });
    on('toolCallCancellation', (ids: string[]) => this.deps.tools.cancel(ids));
    on('ready', () => log.info('Gemini session ready'));
    on('reconnecting', (reason: string) =>
      log.info('Gemini session reconnecting', { reason }),
    );
    on('reconnected', (info: { reason: string }) => {
      mediaMetrics.geminiReconnects.inc({
        reason: info.reason.startsWith('goAway') ? 'goAway' : 'closed',
      });
      log.info('Gemini session resumed', info);
    });
    // Everything the agent said before the stream existed (a greeting, say) plays now.
    session.release();
  }

  /**
   * One Twilio `media.payload` from the caller (base64 μ-law 8 kHz, 20 ms) and its `media.timestamp`
   * (ms since the stream started, as Twilio sends it: a decimal string).
   */
  onCallerMedia(payload: string, timestamp?: string): void {
    if (this.closed) return;
    const started = performance.now();
    this.lastMediaAt = Date.now();
    let pcm: string;
    try {
      pcm = this.deps.pipelines.caller.process(payload);
    } catch (err) {
      if (!(err instanceof InvalidAudioPayloadError)) throw err;
      mediaMetrics.callerInvalid.inc();
      if (this.invalidFrames++ === 0)
        this.deps.log.warn('Skipping caller frames that are not base64');
      return;
    }
    if (pcm) this.deps.session.sendAudio(pcm);
    this.deps.recorder?.caller(payload, Number(timestamp));
    mediaMetrics.callerFrames.observe((performance.now() - started) / 1000);
  }

  /**
   * The recording's timer (CallLifecycle, every 250 ms, inside the call's fault boundary): sends a
   * sync mark when the recorder asks for one (nothing queued at Twilio), then renders what is final.
   */
  recordingTick(): void {
    const recorder = this.deps.recorder;
    if (!recorder || this.closed) return;
    if (!this.farewell && recorder.wantsSyncMark()) {
      const mark = `${RECORDING_SYNC_MARK}${++this.syncMarks}`;
      this.toTwilio.sendControl(this.writer.mark(mark));
      recorder.markSent(mark);
    }
    recorder.flush();
  }

  /** A keypad digit: the agent is told, the transcript and events record it. */
  onDtmf(digit: string): void {
    if (this.closed) return;
    this.sendPendingCallerAudio(); // the caller's audio before the key reaches Gemini first
    this.deps.session.sendText(
      `The caller pressed the ${digit} key on their phone keypad.`,
    );
    this.deps.events.emit('dtmf.received', { callSid: this.callSid, digit });
    this.transcript.append('system', `DTMF ${digit}`);
  }

  /** Twilio echoed a mark: the audio before it has played (or was cleared). */
  onMark(name: string): void {
    this.pendingMarks.delete(name);
    this.deps.recorder?.markPlayed(name);
    if (name === GOODBYE_MARK && this.farewell && !this.closed)
      this.deps.owner.goodbyePlayed();
    else if (this.pendingMarks.size === 0 && !this.closed)
      this.deps.owner.playbackDrained?.();
  }

  /**
   * Plays a last prompt (base64 μ-law 8 kHz) in place of anything queued, followed by the goodbye mark.
   * Returns the prompt's length in ms, or undefined when the stream cannot carry it.
   */
  playGoodbye(prompt: string): number | undefined {
    if (this.closed || this.deps.socket.readyState !== WebSocket.OPEN)
      return undefined;
    this.farewell = true;
    this.toTwilio.dropQueuedAudio();
    this.toTwilio.sendControl(this.writer.clear());
    this.toTwilio.sendControl(this.writer.media(prompt));
    this.toTwilio.sendControl(this.writer.mark(GOODBYE_MARK));
    this.deps.recorder?.clear();
    this.deps.recorder?.agent(prompt);
    this.deps.recorder?.markSent(GOODBYE_MARK);
    return ((prompt.length * 3) / 4 / 8000) * 1000;
  }

  /** Plays a prompt (base64 μ-law 8 kHz) as agent speech after what is queued, with a mark; returns
   *  its length (ms), or undefined while saying goodbye or when the stream cannot carry it. */
  playPrompt(prompt: string): number | undefined {
    const open = this.deps.socket.readyState === WebSocket.OPEN;
    if (this.closed || this.farewell || !open) return undefined;
    this.audioSinceClear = true;
    this.toTwilio.sendControl(this.writer.media(prompt));
    this.deps.recorder?.agent(prompt);
    this.sendMark();
    return ((prompt.length * 3) / 4 / 8000) * 1000;
  }

  /**
   * True once the agent's words have played: no agent audio for `quietMs` since `sinceMs` (both
   * performance.now() ms) or since its last audio, whichever is later, and every mark echoed by
   * Twilio (a mark is sent first for audio not yet followed by one). Used before `end_call` and
   * `transfer_call` act.
   */
  playedOut(sinceMs: number, quietMs: number): boolean {
    const lastWords = Math.max(sinceMs, this.lastAgentAudioAt);
    if (performance.now() - lastWords < quietMs) return false;
    if (this.chunksSinceMark > 0) this.sendMark();
    return this.pendingMarks.size === 0;
  }

  /** A system line on the transcript, after what the caller said so far. */
  note(text: string): void {
    if (this.closed) return;
    this.transcript.flush('caller');
    this.transcript.append('system', text);
  }

  /**
   * Releases the bridge once: a partial upstream batch sent, transcripts flushed, tools cancelled,
   * sender closed, DSP memory returned, the recording (if any) finished in the background.
   */
  close(): void {
    if (this.closed) return;
    this.sendPendingCallerAudio();
    this.closed = true;
    this.deps.recorder?.finish();
    this.deps.tools.cancelAll();
    this.transcript.flush('caller', 'agent');
    this.toTwilio.close();
    mediaMetrics.callerBackpressure.inc(this.deps.session.droppedFrames);
    this.deps.pipelines.caller.dispose();
    this.deps.pipelines.agent.dispose();
  }

  private onAgentAudio(data: string, mimeType: string | undefined): void {
    if (this.closed || this.farewell) return;
    const started = performance.now();
    this.transcript.flush('caller');
    let payload: string;
    try {
      payload = this.deps.pipelines.agent.processInlineData(data, mimeType);
    } catch (err) {
      // Audio the bridge cannot use costs that message, never the call.
      if (!(
        err instanceof InvalidAudioPayloadError || err instanceof RangeError
      ))
        throw err;
      mediaMetrics.agentUnusable.inc();
      if (this.unusableAgentAudio++ === 0)
        this.deps.log.warn('Skipping agent audio the bridge cannot use', {
          mimeType: String(mimeType).slice(0, 100),
          err: err.message,
        });
      return;
    }
    if (!payload) return;
    this.lastAgentAudioAt = started;
    this.audioSinceClear = true;
    const droppedBefore = this.toTwilio.dropped;
    this.toTwilio.sendAudio(this.writer.media(payload));
    this.deps.recorder?.agent(payload);
    // A mark every few chunks (and at the end of each turn) tracks playback to within ~200 ms at a
    // fifth of the messages: every frame to Twilio is a socket write, the service's main cost.
    if (++this.chunksSinceMark >= CHUNKS_PER_MARK) this.sendMark();
    if (this.toTwilio.dropped > droppedBefore)
      mediaMetrics.agentBackpressure.inc(this.toTwilio.dropped - droppedBefore);
    mediaMetrics.agentFrames.observe((performance.now() - started) / 1000);
  }

  /** The bridge's side of runToolCall: its transcript, and whether it is closed. */
  private readonly toolSink = {
    closed: () => this.closed,
    note: (line: string) => this.transcript.append('system', line),
  };

  private sendMark(): void {
    const mark = `agent-${++this.markSeq}`;
    this.chunksSinceMark = 0;
    this.toTwilio.sendControl(this.writer.mark(mark));
    this.pendingMarks.add(mark);
    this.deps.recorder?.markSent(mark);
  }

  /**
   * Barge-in: Twilio `clear`, queued agent audio dropped, the filter's stale speech forgotten. The first
   * signal acts: `voice-activity` (ACTIVITY_START) while agent audio may still play, `interrupted` if
   * agent audio went out since the last clear; so one barge-in is never cleared twice.
   */
  bargeIn(signal: 'voice-activity' | 'interrupted'): void {
    if (this.closed || this.farewell || !this.audioSinceClear) return;
    const playing = this.pendingMarks.size > 0 || this.chunksSinceMark > 0;
    if (signal === 'voice-activity' && !playing) return;
    mediaMetrics.bargeIns.inc({ signal });
    this.audioSinceClear = false;
    this.toTwilio.dropQueuedAudio();
    this.toTwilio.sendControl(this.writer.clear());
    this.deps.recorder?.clear();
    this.deps.pipelines.agent.reset();
    this.pendingMarks.clear();
    this.chunksSinceMark = 0;
    this.deps.events.emit('agent.interrupted', { callSid: this.callSid });
    this.transcript.agentInterrupted();
  }

  /** Caller audio gathered for a longer upstream frame (UPSTREAM_FRAME_MS) goes to Gemini now. */
  private sendPendingCallerAudio(): void {
    const rest = this.deps.pipelines.caller.flush();
    if (rest) this.deps.session.sendAudio(rest);
  }
}
