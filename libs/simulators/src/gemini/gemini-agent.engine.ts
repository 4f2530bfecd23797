import { createResampler, resampleInt16, Resampler } from '@app/audio-bridge';
import { base64ToInt16, concatInt16 } from '../audio/pcm.util';
import { buildAgentReply } from './agent-reply.factory';
import { EnergyTurnDetector, TurnEnd } from './energy-turn.detector';
import {
  ClientMessage,
  Content,
  FunctionResponse,
  RealtimeInput,
  ReplyContext,
  ReplySpec,
  ResolvedEmulatorOptions,
  SetupMessage,
} from './gemini-live.types';
import { ReplyOutcome, ReplyStreamer } from './reply.streamer';

/** One reply the agent started, for assertions. */
export interface ReplyRecord extends ReplyContext {
  /** `scripted`: a test made the model speak on its own (`EmulatedLiveSession.speak`). */
  trigger: 'audio' | 'text' | 'toolResponse' | 'scripted';
  /** A reply chosen by the script instead of `options.reply`. */
  spec?: ReplySpec;
  outcome?: ReplyOutcome;
  chunksSent: number;
  chunkCount: number;
}

export interface AgentIo {
  send(message: object): boolean;
  /**
   * The model has nothing in progress (no reply streaming, no tool call open): a point where the real
   * server issues a resumable handle ("resumable=false … model executing function calls or just
   * generating", js-genai LiveServerSessionResumptionUpdate).
   */
  onIdle(): void;
  /** Protocol problems the real API might tolerate but a careful client avoids. */
  violation(text: string): void;
}

const INPUT_RATE = 16000;

function pcmRate(mimeType: string | undefined): number | undefined {
  if (!mimeType || !/^audio\/pcm/i.test(mimeType)) return undefined;
  const match = /rate=(\d+)/i.exec(mimeType);
  return match ? Number(match[1]) : INPUT_RATE;
}

function textOf(turns: Content[] | undefined): string {
  return (turns ?? [])
    .flatMap((turn) => turn.parts ?? [])
    .map((part) => part.text ?? '')
    .join(' ')
    .trim();
}

/**
 * The deterministic model behind an emulated session: decodes caller audio to 16 kHz, finds turns by
 * energy, answers each turn (or text / tool response) with a streamed reply, and stops a reply with
 * `interrupted` when the caller talks over it.
 */
export class GeminiAgentEngine {
  readonly replies: ReplyRecord[] = [];
  readonly toolResponses: FunctionResponse[] = [];
  /**
   * Responses to calls this connection never issued (or already answered): ignored, as a tool call
   * belongs to the connection that issued it (PROTOCOLS.md, field reports).
   */
  readonly strayToolResponses: FunctionResponse[] = [];
  readonly pendingToolCalls = new Set<string>();
  private readonly audio: Int16Array[] = [];
  private audioCache?: Int16Array;
  private readonly detector: EnergyTurnDetector;
  private readonly resamplers = new Map<number, Resampler>();
  private readonly queue: ReplyRecord[] = [];
  private streamer?: ReplyStreamer;
  private manualTurn?: Int16Array[];
  private turnIndex: number;
  /** Extended thinking in progress (IN_PROGRESS sent; the answer comes when it fires). */
  private thinking?: NodeJS.Timeout;
  /** A reply waiting out `responseDelayMs` after the caller's turn. */
  private responding?: NodeJS.Timeout;
  /** Caller speech in progress, as reported in `voiceActivity` (ACTIVITY_START sent). */
  private voiceActive = false;

  constructor(
    private readonly options: ResolvedEmulatorOptions,
    private readonly setup: SetupMessage,
    private readonly io: AgentIo,
    previousTurns = 0,
  ) {
    this.turnIndex = previousTurns;
    this.detector = new EnergyTurnDetector({
      threshold: options.speechThreshold,
      silenceMs: options.silenceMs,
      minSpeechMs: options.minSpeechMs,
      bargeInMs: options.bargeInMs,
    });
  }

  /** Replies started so far (including ones carried over by session resumption). */
  get turnCount(): number {
    return this.turnIndex;
  }

  get replying(): boolean {
    return this.streamer !== undefined;
  }

  /** Nothing in progress: no reply streaming or queued, no tool call open. */
  get idle(): boolean {
    return (
      !this.replying &&
      this.thinking === undefined &&
      this.responding === undefined &&
      this.queue.length === 0 &&
      this.pendingToolCalls.size === 0
    );
  }

  /** The model speaks now, unprompted (proactive audio; a test's script), `spec` or the usual reply. */
  speak(spec?: ReplySpec): ReplyRecord {
    return this.requestReply('scripted', { spec });
  }

  /** All caller audio so far at 16 kHz. */
  callerAudio(): Int16Array {
    this.audioCache ??= concatInt16(this.audio);
    return this.audioCache;
  }

  /** Handles a post-setup message; returns a close reason when Google would close the socket. */
  handle(message: ClientMessage): string | undefined {
    if (message.realtimeInput) this.realtimeInput(message.realtimeInput);
    if (message.clientContent) {
      const text = textOf(message.clientContent.turns);
      if (message.clientContent.turnComplete && this.options.silent !== true)
        this.requestReply('text', { text });
    }
    if (message.toolResponse)
      return this.toolResponse(message.toolResponse.functionResponses ?? []);
    return undefined;
  }

  /** Stops everything (socket closed). */
  dispose(): void {
    clearTimeout(this.thinking);
    this.thinking = undefined;
    clearTimeout(this.responding);
    this.responding = undefined;
    this.queue.length = 0;
    this.streamer?.abort();
    for (const resampler of this.resamplers.values()) resampler.dispose();
    this.resamplers.clear();
  }

  private get automatic(): boolean {
    return !this.setup.realtimeInputConfig?.automaticActivityDetection
      ?.disabled;
  }

  private get interrupts(): boolean {
    return (
      this.setup.realtimeInputConfig?.activityHandling !== 'NO_INTERRUPTION'
    );
  }

  private realtimeInput(input: RealtimeInput): void {
    const blobs = [
      ...(input.audio ? [input.audio] : []),
      ...(input.mediaChunks ?? []),
    ];
    for (const blob of blobs) {
      const rate = pcmRate(blob.mimeType);
      if (rate === undefined || typeof blob.data !== 'string') continue;
      if (rate !== INPUT_RATE)
        this.io.violation(`audio at ${rate} Hz (expected 16000)`);
      this.callerSpoke(this.to16k(base64ToInt16(blob.data), rate));
    }
    if (typeof input.text === 'string' && this.options.silent !== true)
      this.requestReply('text', { text: input.text });
    if (input.activityStart) {
      if (this.automatic)
        this.io.violation('activityStart with automatic activity detection on');
      this.manualTurn = [];
      if (this.replying && this.interrupts) this.interrupt();
    }
    if (input.activityEnd && this.manualTurn) {
      const audio = concatInt16(this.manualTurn);
      this.manualTurn = undefined;
      this.turnEnded({
        type: 'turn',
        audio,
        speechMs: Math.round(audio.length / 16),
      });
    }
    if (input.audioStreamEnd && this.automatic) {
      const event = this.detector.flush();
      if (event) this.turnEnded(event);
    }
  }

  private callerSpoke(samples: Int16Array): void {
    this.audio.push(samples);
    this.audioCache = undefined;
    if (!this.automatic) {
      this.manualTurn?.push(samples);
      return;
    }
    for (const event of this.detector.push(samples)) {
      if (event.type === 'speech') {
        this.voiceActivity('ACTIVITY_START');
        if (this.replying && this.interrupts) this.interrupt();
      } else this.turnEnded(event);
    }
  }

  /** `voiceActivity` when enabled: once per start of caller speech, and at its end. */
  private voiceActivity(type: 'ACTIVITY_START' | 'ACTIVITY_END'): void {
    const start = type === 'ACTIVITY_START';
    if (!this.options.voiceActivity || this.voiceActive === start) return;
    this.voiceActive = start;
    this.io.send({ voiceActivity: { voiceActivityType: type } });
  }

  private turnEnded(event: TurnEnd): void {
    this.voiceActivity('ACTIVITY_END');
    if (this.setup.inputAudioTranscription) {
      const text = this.options.transcribe(event.audio);
      this.io.send({ serverContent: { inputTranscription: { text } } });
    }
    if (this.options.silent) return;
    const thinkingMs = this.options.thinkingMs ?? 0;
    if (!this.extendedThinking || thinkingMs <= 0) {
      this.replyAfterDelay(event.audio);
      return;
    }
    // Background thinking: the turn ends at once, IN_PROGRESS; the answer follows later.
    this.io.send({
      serverContent: { turnComplete: true, interactionStatus: 'IN_PROGRESS' },
    });
    clearTimeout(this.thinking);
    this.thinking = setTimeout(() => {
      this.thinking = undefined;
      this.requestReply('audio', { audio: event.audio });
    }, thinkingMs);
  }

  /** Answers a spoken turn once `responseDelayMs` has passed (at once when 0); a later turn replaces it. */
  private replyAfterDelay(audio: Int16Array): void {
    const reply = (): void => {
      this.responding = undefined;
      this.requestReply('audio', { audio });
    };
    clearTimeout(this.responding);
    const delayMs = this.options.responseDelayMs ?? 0;
    if (delayMs > 0) this.responding = setTimeout(reply, delayMs);
    else reply();
  }

  /** `…-extended-thinking` models report interactionStatus (always with turnComplete). */
  private get extendedThinking(): boolean {
    return /extended-thinking$/.test(this.setup.model ?? '');
  }

  private toolResponse(responses: FunctionResponse[]): string | undefined {
    let answered = 0;
    for (const response of responses) {
      if (typeof response.id !== 'string' || response.id === '') {
        return 'FunctionResponse request must have an `id` field from the response of a ToolCall.';
      }
      if (!this.pendingToolCalls.delete(response.id)) {
        this.io.violation(
          `toolResponse for unknown or answered call id ${response.id}`,
        );
        this.strayToolResponses.push(response);
        continue;
      }
      this.toolResponses.push(response);
      // SILENT: into the context only, no generation (js-genai FunctionResponseScheduling).
      if (response.scheduling !== 'SILENT') answered++;
    }
    if (
      this.options.replyToToolResponses &&
      this.options.silent !== true &&
      answered > 0
    ) {
      this.requestReply('toolResponse', { toolResponse: true });
    } else if (answered > 0 && this.idle) this.io.onIdle();
    return undefined;
  }

  private requestReply(
    trigger: ReplyRecord['trigger'],
    context: Omit<ReplyContext, 'turnIndex'> & { spec?: ReplySpec },
  ): ReplyRecord {
    const record: ReplyRecord = {
      ...context,
      turnIndex: 0,
      trigger,
      chunksSent: 0,
      chunkCount: 0,
    };
    if (this.replying) {
      if (!this.interrupts) {
        this.queue.push(record);
        return record;
      }
      this.interrupt();
    }
    this.startReply(record);
    return record;
  }

  private startReply(record: ReplyRecord): void {
    record.turnIndex = ++this.turnIndex;
    const spec =
      record.spec ??
      (typeof this.options.reply === 'function'
        ? this.options.reply(record)
        : this.options.reply);
    const reply = buildAgentReply(spec, record, this.options.replyText);
    const streamer = new ReplyStreamer(reply, {
      chunkIntervalMs: this.options.chunkIntervalMs,
      transcribeOutput: this.setup.outputAudioTranscription !== undefined,
      send: (message) => this.io.send(message),
      prompt: record,
      ...(this.extendedThinking ? { interactionStatus: 'IDLE' } : {}),
    });
    this.streamer = streamer;
    record.chunkCount = streamer.chunkCount;
    this.replies.push(record);
    void streamer.run().then((outcome) => {
      record.outcome = outcome;
      record.chunksSent = streamer.sent;
      if (this.streamer === streamer) this.streamer = undefined;
      if (outcome === 'closed') return;
      const next = this.queue.shift();
      if (next && !this.replying) this.startReply(next);
      if (this.idle) this.io.onIdle();
    });
  }

  private interrupt(): void {
    const streamer = this.streamer;
    if (!streamer) return;
    this.streamer = undefined;
    streamer.interrupt();
    this.io.send({ serverContent: { interrupted: true } });
  }

  private to16k(samples: Int16Array, rate: number): Int16Array {
    if (rate === INPUT_RATE) return samples;
    let resampler = this.resamplers.get(rate);
    if (!resampler) {
      resampler = createResampler(rate, INPUT_RATE);
      this.resamplers.set(rate, resampler);
    }
    return resampleInt16(resampler, samples);
  }
}
