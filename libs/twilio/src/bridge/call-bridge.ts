import {
  CallAudioPipelines,
  InvalidAudioPayloadError,
} from '@app/audio-bridge';
import {
  CallEndReason,
  CallsService,
  LiveCallControl,
  TranscriptRole,
} from '@app/call-manager';
import { GeminiLiveSession, LiveSessionClosed } from '@app/gemini-client';
import WebSocket from 'ws';
import { TwilioFrameWriter } from '../media-stream/twilio-messages';
import { CallLog } from './call-log';

export interface CallBridgeDeps {
  callSid: string;
  streamSid: string;
  socket: WebSocket;
  session: GeminiLiveSession;
  pipelines: CallAudioPipelines;
  calls: CallsService;
  log: CallLog;
  maxCallDurationMs: number;
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
  private readonly transcript: Record<'caller' | 'agent', string> = {
    caller: '',
    agent: '',
  };
  private markSeq = 0;
  private ended = false;
  private maxDurationTimer?: NodeJS.Timeout;

  constructor(private readonly deps: CallBridgeDeps) {
    this.callSid = deps.callSid;
    this.writer = new TwilioFrameWriter(deps.streamSid);
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
    session.on('turnComplete', () => this.flush('caller', 'agent'));
    session.on('closed', (info) => this.onSessionClosed(info));
    session.on('ready', () => log.info('Gemini session ready'));
    this.maxDurationTimer = setTimeout(
      () => void this.end('max-duration'),
      this.deps.maxCallDurationMs,
    );
    this.maxDurationTimer.unref();
  }

  /** One Twilio `media.payload` from the caller. */
  onCallerMedia(payload: string): void {
    if (this.ended) return;
    let pcm: string;
    try {
      pcm = this.deps.pipelines.caller.process(payload);
    } catch (err) {
      if (!(err instanceof InvalidAudioPayloadError)) throw err;
      if (this.invalidFrames++ === 0)
        this.deps.log.warn('Skipping caller frames that are not base64');
      return;
    }
    if (pcm) this.deps.session.sendAudio(pcm);
  }

  onDtmf(digit: string): void {
    if (this.ended) return;
    this.deps.session.sendText(
      `The caller pressed the ${digit} key on their phone keypad.`,
    );
    this.append('system', `DTMF ${digit}`);
  }

  /** Twilio echoed a mark: the audio before it has played (or was cleared). */
  onMark(name: string): void {
    this.pendingMarks.delete(name);
  }

  /** Ends the call once, whatever ended it. */
  async end(reason: CallEndReason): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.maxDurationTimer);
    this.flush('caller', 'agent');
    this.deps.log.info('Call ending', { reason });
    this.deps.session.close(1000, 'call ended');
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
    clearTimeout(this.maxDurationTimer);
    this.deps.session.close(1000, 'stream refused');
    if (this.deps.socket.readyState === WebSocket.OPEN)
      this.deps.socket.close(code, reason);
    this.deps.pipelines.caller.dispose();
    this.deps.pipelines.agent.dispose();
  }

  private onAgentAudio(data: string, mimeType: string | undefined): void {
    if (this.ended) return;
    this.flush('caller');
    const payload = this.deps.pipelines.agent.processInlineData(data, mimeType);
    if (!payload) return;
    const { socket } = this.deps;
    if (socket.readyState !== WebSocket.OPEN) return;
    const mark = `agent-${++this.markSeq}`;
    socket.send(this.writer.media(payload));
    socket.send(this.writer.mark(mark));
    this.pendingMarks.add(mark);
  }

  /** Barge-in: Twilio drops what it has buffered, and the filter forgets the stale speech. */
  private onInterrupted(): void {
    if (this.ended) return;
    const { socket } = this.deps;
    if (socket.readyState === WebSocket.OPEN) socket.send(this.writer.clear());
    this.deps.pipelines.agent.reset();
    this.pendingMarks.clear();
    if (this.transcript.agent) this.transcript.agent += ' [interrupted]';
    this.flush('agent');
  }

  private onSessionClosed(info: LiveSessionClosed): void {
    if (this.ended) return;
    this.deps.log.warn('Gemini session closed', {
      code: info.code,
      reason: info.reason,
    });
    void this.end('agent-closed');
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
