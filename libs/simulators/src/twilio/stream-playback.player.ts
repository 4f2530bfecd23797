import { mulawToPcm } from '../audio/pcm.util';
import { nowMs } from '../shared/waiters.util';
import { MarkEvent } from './twilio-call.types';
import { PlaybackBuffer } from './playback.buffer';

const SAMPLES_PER_MS = 8;
const TICK_MS = 20;

/**
 * Plays what the service sends to the caller in real time: a 20 ms tick (absolute schedule) drains the
 * playback buffer by exactly the samples due since the stream started, records the caller's timeline
 * (silence where nothing played), and echoes marks when their audio has played or been cleared.
 */
export class StreamPlaybackPlayer {
  readonly buffer = new PlaybackBuffer();
  readonly marksReceived: MarkEvent[] = [];
  readonly marksEchoed: MarkEvent[] = [];
  readonly clearsAtMs: number[] = [];
  firstAudioAtMs?: number;
  private startedAt = 0;
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(private readonly echoMark: (name: string) => void) {}

  start(startedAt: number): void {
    this.startedAt = startedAt;
    this.running = true;
    this.schedule();
  }

  get elapsedMs(): number {
    return nowMs() - this.startedAt;
  }

  /** A media payload (μ-law bytes) arrived from the service. */
  media(codes: Uint8Array): void {
    if (!this.running) return;
    this.firstAudioAtMs ??= this.elapsedMs;
    // Play up to now first, so audio arriving mid-tick starts when it arrived.
    this.catchUp();
    this.buffer.enqueueAudio(mulawToPcm(codes));
  }

  /** A mark arrived: it fires when everything queued before it has played. */
  mark(name: string): void {
    if (!this.running) return;
    this.marksReceived.push({ name, atMs: this.elapsedMs });
    this.catchUp();
    this.buffer.enqueueMark(name);
    // Nothing left to play before it: Twilio echoes it straight away.
    if (!this.playing) this.echo(this.buffer.drain(0).marks);
  }

  /** `clear`: drop the queued audio now and echo every pending mark now. */
  clear(): void {
    if (!this.running) return;
    this.catchUp();
    this.clearsAtMs.push(this.elapsedMs);
    this.echo(this.buffer.clear());
  }

  /** True while audio is queued for the caller. */
  get playing(): boolean {
    return this.buffer.bufferedSamples > 0;
  }

  /** Plays up to now and stops the clock. */
  stop(): void {
    if (!this.running) return;
    this.catchUp();
    this.running = false;
    clearTimeout(this.timer);
  }

  /** The caller's timeline at 8 kHz from stream start up to the last tick. */
  heardAudio(): Int16Array {
    return this.buffer.heardAudio();
  }

  private schedule(): void {
    const nextTick = (Math.floor(this.elapsedMs / TICK_MS) + 1) * TICK_MS;
    // Never negative: a late tick (a busy event loop) runs at once; Node 24 warns on a negative delay.
    this.timer = setTimeout(
      () => {
        if (!this.running) return;
        this.catchUp();
        this.schedule();
      },
      Math.max(0, nextTick - this.elapsedMs),
    );
  }

  /** Drains the samples due between the last tick and now. */
  private catchUp(): void {
    const due =
      Math.floor(this.elapsedMs * SAMPLES_PER_MS) - this.buffer.playedSamples;
    this.echo(this.buffer.drain(Math.max(0, due)).marks);
  }

  private echo(names: string[]): void {
    for (const name of names) {
      this.marksEchoed.push({ name, atMs: this.elapsedMs });
      this.echoMark(name);
    }
  }
}
