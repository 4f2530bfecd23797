import { int16ToBase64 } from '../audio/pcm.util';
import { nowMs } from '../shared/waiters.util';
import { AgentReply, REPLY_RATE } from './agent-reply.factory';
import type { ReplyContext } from './gemini-live.types';

/** Audio tokens per second of audio, in and out (Gemini counts 25 tokens/s). */
const AUDIO_TOKENS_PER_S = 25;

/** 40 ms of 24 kHz audio per modelTurn message. */
export const CHUNK_SAMPLES = (REPLY_RATE * 40) / 1000;

export type ReplyOutcome = 'complete' | 'interrupted' | 'closed';

export interface ReplyStreamerOptions {
  /** Gap between chunks; 0 sends as fast as the event loop allows. */
  chunkIntervalMs: number;
  /** Send outputTranscription pieces with the audio. */
  transcribeOutput: boolean;
  /** Sends one server message; false when the socket is gone. */
  send: (message: object) => boolean;
  /** What the reply answers: its prompt tokens in `usageMetadata` (audio at 16 kHz, text by word). */
  prompt?: ReplyContext;
  /** Sent with `turnComplete` as `interactionStatus` (extended-thinking models). */
  interactionStatus?: 'IDLE';
}

/**
 * Streams one reply like Gemini Live does: 40 ms modelTurn audio chunks on an absolute schedule (no
 * drift), output transcription words spread over them, then generationComplete and turnComplete.
 * `interrupt()` stops it between chunks; the caller sends `interrupted`.
 */
export class ReplyStreamer {
  private timer?: NodeJS.Timeout | NodeJS.Immediate;
  private finish?: (outcome: ReplyOutcome) => void;
  private chunksSent = 0;

  constructor(
    private readonly reply: AgentReply,
    private readonly options: ReplyStreamerOptions,
  ) {}

  get chunkCount(): number {
    return Math.ceil(this.reply.audio.length / CHUNK_SAMPLES);
  }

  /** Audio chunks sent so far. */
  get sent(): number {
    return this.chunksSent;
  }

  /** Starts sending; resolves once the reply has been fully sent, interrupted or the socket closed. */
  run(): Promise<ReplyOutcome> {
    const started = nowMs();
    const words = this.reply.text.split(/\s+/).filter(Boolean);
    return new Promise<ReplyOutcome>((resolve) => {
      this.finish = (outcome) => {
        this.finish = undefined;
        resolve(outcome);
      };
      const step = (): void => {
        this.timer = undefined;
        if (!this.finish) return;
        if (this.chunksSent < this.chunkCount) {
          if (!this.sendChunk(words)) return this.finish('closed');
          if (this.chunksSent < this.chunkCount)
            return this.schedule(step, started);
        }
        const ended =
          this.options.send({ serverContent: { generationComplete: true } }) &&
          this.options.send({
            serverContent: {
              turnComplete: true,
              ...(this.options.interactionStatus
                ? { interactionStatus: this.options.interactionStatus }
                : {}),
            },
            usageMetadata: this.usage(words.length),
          });
        this.finish(ended ? 'complete' : 'closed');
      };
      step();
    });
  }

  /** Stops before the next chunk. */
  interrupt(): void {
    this.cancelTimer();
    this.finish?.('interrupted');
  }

  /** Stops because the socket closed. */
  abort(): void {
    this.cancelTimer();
    this.finish?.('closed');
  }

  private schedule(step: () => void, started: number): void {
    const interval = this.options.chunkIntervalMs;
    if (interval <= 0) {
      this.timer = setImmediate(step);
      return;
    }
    const due = started + this.chunksSent * interval;
    this.timer = setTimeout(step, Math.max(0, due - nowMs()));
  }

  private sendChunk(words: string[]): boolean {
    const index = this.chunksSent++;
    const samples = this.reply.audio.subarray(
      index * CHUNK_SAMPLES,
      (index + 1) * CHUNK_SAMPLES,
    );
    const audio = {
      serverContent: {
        modelTurn: {
          parts: [
            {
              inlineData: {
                mimeType: `audio/pcm;rate=${REPLY_RATE}`,
                data: int16ToBase64(samples),
              },
            },
          ],
        },
      },
    };
    if (!this.options.send(audio)) return false;
    if (!this.options.transcribeOutput) return true;
    // Word k goes out with chunk floor(k × chunks / words), so the text ends with the audio.
    const piece = words.filter(
      (_, k) => Math.floor((k * this.chunkCount) / words.length) === index,
    );
    if (piece.length === 0) return true;
    const text = (index === 0 ? '' : ' ') + piece.join(' ');
    return this.options.send({
      serverContent: { outputTranscription: { text } },
    });
  }

  /**
   * `usageMetadata` for this reply, by modality (js-genai UsageMetadata): prompt = the turn's audio
   * (25 tokens/s) and text (a token a word; 10 for a tool response); response = the reply's audio and
   * its transcript's words.
   */
  private usage(words: number): object {
    const prompt = this.options.prompt;
    const promptAudio = Math.ceil(
      ((prompt?.audio?.length ?? 0) / 16000) * AUDIO_TOKENS_PER_S,
    );
    const promptText =
      (prompt?.text?.split(/\s+/).filter(Boolean).length ?? 0) +
      (prompt?.toolResponse ? 10 : 0);
    const audio = Math.ceil(
      (this.reply.audio.length / REPLY_RATE) * AUDIO_TOKENS_PER_S,
    );
    const details = (a: number, t: number) =>
      [
        { modality: 'AUDIO', tokenCount: a },
        { modality: 'TEXT', tokenCount: t },
      ].filter((d) => d.tokenCount > 0);
    return {
      promptTokenCount: promptAudio + promptText,
      responseTokenCount: audio + words,
      totalTokenCount: promptAudio + promptText + audio + words,
      promptTokensDetails: details(promptAudio, promptText),
      responseTokensDetails: details(audio, words),
    };
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    if (this.options.chunkIntervalMs <= 0)
      clearImmediate(this.timer as NodeJS.Immediate);
    else clearTimeout(this.timer as NodeJS.Timeout);
    this.timer = undefined;
  }
}
