import {
  CallAudioPipelines,
  InvalidAudioPayloadError,
} from '@app/audio-bridge';
import {
  CallEndReason,
  CallEvents,
  CallsService,
  LiveCallControl,
  TranscriptRole,
} from '@app/call-manager';
import {
  BoundedFrameSender,
  LiveFunctionCall,
  LiveSession,
  LiveSessionClosed,
  ToolCallScope,
} from '@app/gemini-client';
import WebSocket from 'ws';
import { TwilioFrameWriter } from '../media-stream/twilio-messages';
import { PROMPTS } from '../prompts/prompts.generated';
import { mediaMetrics } from '../metrics/media.metrics';
import { CallLog } from './call-log';

/** The goodbye mark; the call ends when Twilio echoes it (the prompt has played) or after a margin. */
const GOODBYE_MARK = 'goodbye';
const GOODBYE_MARGIN_MS = 1500;
/** Agent chunks (40 ms each from Gemini) between playback marks. */
const CHUNKS_PER_MARK = 5;
/** Backpressure towards Twilio: ~6 s of μ-law (base64) in the socket, ~4 s of 40 ms frames queued. */
const TWILIO_HIGH_WATER_BYTES = 64 * 1024;
const TWILIO_MAX_QUEUED_FRAMES = 100;

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
  maxCallDurationMs: number;
  /** No media from Twilio for this long ends the call (the stream is gone even if the socket is not). */
  idleTimeoutMs: number;
}

/**
 * Ties one Twilio media stream to one Gemini Live session for the life of a call:
 * caller audio → audio bridge → Gemini; Gemini audio → audio bridge → Twilio `media` + `mark`;
 * `interrupted` → Twilio `clear` at once; transcripts → the call record. `end()` is the one cleanup every
 * way a call can finish goes through, and it runs once.
 */
export class CallBridge implements LiveCallControl {
  readonly callSid: string;
  /** Marks sent with agent audio that Twilio has not yet echoed (audio still queued at Twilio). */
  readonly pendingMarks = new Set<string>();
  /** Bad caller frames skipped (not base64). */
  invalidFrames = 0;
  private readonly writer: TwilioFrameWriter;
  /** Frames to Twilio: bounded, so a slow Twilio socket cannot grow memory or block other calls. */
  readonly toTwilio: BoundedFrameSender;
  private readonly transcript: Record<'caller' | 'agent', string> = {
    caller: '',
    agent: '',
  };
  private markSeq = 0;
  private chunksSinceMark = 0;
  private ended = false;
  private saidGoodbye = false;
  private maxDurationTimer?: NodeJS.Timeout;
  private idleTimer?: NodeJS.Timeout;
  private goodbyeTimer?: NodeJS.Timeout;
  private lastMediaAt = Date.now();

  constructor(private readonly deps: CallBridgeDeps) {
    this.callSid = deps.callSid;
    this.writer = new TwilioFrameWriter(deps.streamSid);
    this.toTwilio = new BoundedFrameSender(deps.socket, {
      highWaterBytes: TWILIO_HIGH_WATER_BYTES,
      maxQueuedFrames: TWILIO_MAX_QUEUED_FRAMES,
    });
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Wires the session's events and the call's time limit. */
  start(): void {
    const { session, log } = this.deps;
    session.on('audio', (data, mimeType) => this.onAgentAudio(data, mimeType));
    session.on('interrupted', () => this.onInterrupted());
    session.on('inputTranscript', (text) => {
      this.flush('agent');
      this.transcript.caller += text;
    });
    session.on('outputTranscript', (text) => {
      this.flush('caller');
      this.transcript.agent += text;
    });
    session.on('turnComplete', () => {
      this.flush('caller', 'agent');
      if (this.chunksSinceMark > 0) this.sendMark();
    });
    session.on('closed', (info) => this.onSessionClosed(info));
    session.on('toolCall', (calls) => {
      for (const call of calls) void this.runTool(call);
    });
    session.on('toolCallCancellation', (ids) => this.deps.tools.cancel(ids));
    session.on('ready', () => log.info('Gemini session ready'));
    session.on('reconnecting', (reason) =>
      log.info('Gemini session reconnecting', { reason }),
    );
    session.on('reconnected', (info) => {
      mediaMetrics.geminiReconnects.inc({
        reason: info.reason.startsWith('goAway') ? 'goAway' : 'closed',
      });
      log.info('Gemini session resumed', info);
    });
    this.maxDurationTimer = setTimeout(
      () => void this.end('max-duration'),
      this.deps.maxCallDurationMs,
    );
    this.maxDurationTimer.unref();
    const idleCheckMs = Math.max(
      50,
      Math.min(1000, this.deps.idleTimeoutMs / 4),
    );
    this.idleTimer = setInterval(() => {
      if (Date.now() - this.lastMediaAt > this.deps.idleTimeoutMs)
        void this.end('idle-timeout');
    }, idleCheckMs);
    this.idleTimer.unref();
    // Everything the agent said before the stream existed (a greeting, say) plays now.
    session.release();
  }

  /** One Twilio `media.payload` from the caller. */
  onCallerMedia(payload: string): void {
    if (this.ended) return;
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
    mediaMetrics.callerFrames.inc();
    mediaMetrics.callerProcessing.observe((performance.now() - started) / 1000);
  }

  onDtmf(digit: string): void {
    if (this.ended) return;
    this.deps.session.sendText(
      `The caller pressed the ${digit} key on their phone keypad.`,
    );
    this.deps.events.emit('dtmf.received', { callSid: this.callSid, digit });
    this.append('system', `DTMF ${digit}`);
  }

  /** Twilio echoed a mark: the audio before it has played (or was cleared). */
  onMark(name: string): void {
    this.pendingMarks.delete(name);
    if (name === GOODBYE_MARK && this.saidGoodbye)
      void this.end('agent-closed');
  }

  /** Ends the call once, whatever ended it. */
  async end(reason: CallEndReason): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.stopTimers();
    this.deps.tools.cancelAll();
    this.flush('caller', 'agent');
    this.deps.log.info('Call ending', { reason });
    this.deps.session.close(1000, 'call ended');
    mediaMetrics.callerBackpressure.inc(this.deps.session.droppedFrames);
    const { socket } = this.deps;
    // With <Connect><Stream>, closing the stream ends the call at Twilio.
    if (socket.readyState === WebSocket.OPEN)
      socket.close(1000, `call ended: ${reason}`);
    this.deps.pipelines.caller.dispose();
    this.deps.pipelines.agent.dispose();
    await this.deps.calls.end(this.callSid, reason);
  }

  /** Releases this bridge's resources without touching the call record (a refused second stream). */
  abandon(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.stopTimers();
    this.deps.session.close(1000, 'stream refused');
    if (this.deps.socket.readyState === WebSocket.OPEN)
      this.deps.socket.close(code, reason);
    this.deps.pipelines.caller.dispose();
    this.deps.pipelines.agent.dispose();
  }

  private onAgentAudio(data: string, mimeType: string | undefined): void {
    if (this.ended) return;
    const started = performance.now();
    this.flush('caller');
    const payload = this.deps.pipelines.agent.processInlineData(data, mimeType);
    if (!payload) return;
    const droppedBefore = this.toTwilio.dropped;
    this.toTwilio.sendAudio(this.writer.media(payload));
    // A mark every few chunks (and at the end of each turn) tracks playback to within ~200 ms at a
    // fifth of the messages: every frame to Twilio is a socket write, the service's main cost.
    if (++this.chunksSinceMark >= CHUNKS_PER_MARK) this.sendMark();
    if (this.toTwilio.dropped > droppedBefore)
      mediaMetrics.agentBackpressure.inc(this.toTwilio.dropped - droppedBefore);
    mediaMetrics.agentFrames.inc();
    mediaMetrics.agentProcessing.observe((performance.now() - started) / 1000);
  }

  /**
   * Runs one tool call off the audio path and answers Gemini with its id; errors and timeouts are
   * error responses, a cancelled call gets none. Call and result go to the transcript and events.
   */
  private async runTool(call: LiveFunctionCall): Promise<void> {
    const outcome = await this.deps.tools.run(call);
    if (this.ended) return;
    if (!outcome.cancelled) {
      this.deps.session.sendToolResponse([
        { id: outcome.id, name: outcome.name, response: outcome.response },
      ]);
    }
    const shown = (value: unknown): string => {
      const text = JSON.stringify(value) ?? 'null';
      return text.length > 300 ? `${text.slice(0, 297)}...` : text;
    };
    const result = outcome.cancelled ? 'cancelled' : shown(outcome.response);
    this.append(
      'system',
      `tool ${outcome.name}(${shown(outcome.args)}) → ${result}`,
    );
    this.deps.events.emit('tool.called', {
      callSid: this.callSid,
      name: outcome.name,
      args: outcome.args,
      ok: outcome.ok,
      result: outcome.response.result,
      error:
        typeof outcome.response.error === 'string'
          ? outcome.response.error
          : undefined,
      durationMs: outcome.durationMs,
    });
  }

  private sendMark(): void {
    const mark = `agent-${++this.markSeq}`;
    this.chunksSinceMark = 0;
    this.toTwilio.sendControl(this.writer.mark(mark));
    this.pendingMarks.add(mark);
  }

  /** Barge-in: Twilio drops what it has buffered, and the filter forgets the stale speech. */
  private onInterrupted(): void {
    if (this.ended) return;
    this.toTwilio.dropQueuedAudio();
    this.toTwilio.sendControl(this.writer.clear());
    this.deps.pipelines.agent.reset();
    this.pendingMarks.clear();
    this.chunksSinceMark = 0;
    this.deps.events.emit('agent.interrupted', { callSid: this.callSid });
    if (this.transcript.agent) this.transcript.agent += ' [interrupted]';
    this.flush('agent');
  }

  /**
   * The agent is gone for good (every reconnect failed): the caller hears a short spoken apology,
   * then the call ends once Twilio has played it.
   */
  private onSessionClosed(info: LiveSessionClosed): void {
    if (this.ended || this.saidGoodbye) return;
    this.saidGoodbye = true;
    mediaMetrics.agentLost.inc();
    this.deps.log.warn('Gemini session lost; saying goodbye', {
      code: info.code,
      reason: info.reason,
    });
    const { socket } = this.deps;
    if (socket.readyState !== WebSocket.OPEN) {
      void this.end('agent-closed');
      return;
    }
    const prompt = PROMPTS.agentUnavailable;
    this.toTwilio.dropQueuedAudio();
    this.toTwilio.sendControl(this.writer.clear());
    this.toTwilio.sendControl(this.writer.media(prompt));
    this.toTwilio.sendControl(this.writer.mark(GOODBYE_MARK));
    const promptMs = ((prompt.length * 3) / 4 / 8000) * 1000;
    this.goodbyeTimer = setTimeout(
      () => void this.end('agent-closed'),
      promptMs + GOODBYE_MARGIN_MS,
    );
    this.goodbyeTimer.unref();
  }

  private stopTimers(): void {
    this.toTwilio.close();
    clearTimeout(this.maxDurationTimer);
    clearInterval(this.idleTimer);
    clearTimeout(this.goodbyeTimer);
  }

  private flush(...roles: Array<'caller' | 'agent'>): void {
    for (const role of roles) {
      const text = this.transcript[role].trim();
      this.transcript[role] = '';
      if (text) this.append(role, text);
    }
  }

  private append(role: TranscriptRole, text: string): void {
    this.deps.calls.appendTranscript(this.callSid, role, text);
  }
}
