import {
  ClientMessage,
  EmulatedLiveSession,
  GeminiLiveEmulator,
} from '@app/simulators';

/** The note the bridge sends the agent for a keypad digit (CallBridge.onDtmf). */
const DTMF_NOTE = /The caller pressed the (\S) key/;

/**
 * Watches what reaches the emulated Gemini across every connection of a call, to check that a
 * connection switch loses, repeats and reorders nothing, and to measure the caller-audio gap.
 */
export class ContinuityProbe {
  private readonly arrivedAt = new Map<ClientMessage, number>();

  constructor(emulator: GeminiLiveEmulator) {
    emulator.onSession((remote) =>
      remote.onMessage((m) => this.arrivedAt.set(m, performance.now())),
    );
  }

  /**
   * Caller audio in the model's state on `remote` (resumed state, then its own), one base64 entry per
   * 20 ms frame whatever UPSTREAM_FRAME_MS put in one message.
   */
  audioState(remote: EmulatedLiveSession): string[] {
    return remote
      .history()
      .flatMap((m) => twentyMsFrames(m.realtimeInput?.audio?.data));
  }

  /**
   * The caller's audio as it was produced: every distinct payload any connection received, in order
   * of first arrival (a payload sent again on a resumed connection counts once).
   */
  audioProduced(sessions: EmulatedLiveSession[]): string[] {
    const all = sessions.flatMap((s) =>
      s.received.flatMap((m) =>
        twentyMsFrames(m.realtimeInput?.audio?.data).map((data) => ({
          data,
          at: this.arrivedAt.get(m) ?? 0,
        })),
      ),
    );
    all.sort((a, b) => a.at - b.at);
    return [...new Set(all.map((entry) => entry.data))];
  }

  /** Keypad digits in the model's state on `remote`, in order. */
  digits(remote: EmulatedLiveSession): string[] {
    return remote
      .history()
      .flatMap((m) => DTMF_NOTE.exec(m.realtimeInput?.text ?? '')?.[1] ?? []);
  }

  /**
   * The caller-audio gap of a switch (ms): the longest time no caller audio reached Gemini on any
   * connection of the call (frames on the wire, replays included).
   */
  flowGapMs(sessions: EmulatedLiveSession[]): number {
    const times = sessions
      .flatMap((s) => s.received.filter((m) => m.realtimeInput?.audio))
      .map((m) => this.arrivedAt.get(m) ?? 0)
      .sort((a, b) => a - b);
    return longestGap(times);
  }

  /**
   * Replay lag (ms): how much later than its first arrival anywhere the model that serves now got a
   * frame. Frames the old connection took after its last handle reach the new model only by replay.
   */
  replayLagMs(
    sessions: EmulatedLiveSession[],
    last: EmulatedLiveSession,
  ): number {
    const first = new Map<string, number>();
    for (const s of sessions)
      for (const m of s.received) {
        const data = m.realtimeInput?.audio?.data;
        const at = this.arrivedAt.get(m) ?? 0;
        if (data && !(at >= (first.get(data) ?? Infinity))) first.set(data, at);
      }
    let lag = 0;
    for (const m of last.history()) {
      const data = m.realtimeInput?.audio?.data;
      if (!data) continue;
      lag = Math.max(
        lag,
        (this.arrivedAt.get(m) ?? 0) - (first.get(data) ?? 0),
      );
    }
    return lag;
  }
}

/** 16 kHz PCM16 bytes in 20 ms of caller audio. */
const FRAME_BYTES = 640;

/** A `realtimeInput.audio.data` cut into 20 ms frames (base64 each); none for no data. */
function twentyMsFrames(data: string | undefined): string[] {
  if (!data) return [];
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length <= FRAME_BYTES) return [data];
  const frames: string[] = [];
  for (let at = 0; at < bytes.length; at += FRAME_BYTES)
    frames.push(bytes.subarray(at, at + FRAME_BYTES).toString('base64'));
  return frames;
}

function longestGap(times: number[]): number {
  let gap = 0;
  for (let i = 1; i < times.length; i++)
    gap = Math.max(gap, times[i] - times[i - 1]);
  return gap;
}

/** Deterministic noise (8 kHz PCM16): every 20 ms frame differs, so each is recognisable upstream. */
export function callerNoise(ms: number, seed = 1): Int16Array {
  const out = new Int16Array(Math.round(ms * 8));
  let state = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = ((state >>> 16) % 6000) - 3000;
  }
  return out;
}

/** How long `heard` (8 kHz) carried sound: 20 ms windows whose RMS is above `rms`, in ms. */
export function audibleMs(heard: Int16Array, rms = 1000): number {
  let ms = 0;
  for (let at = 0; at + 160 <= heard.length; at += 160) {
    let energy = 0;
    for (let i = at; i < at + 160; i++) energy += heard[i] * heard[i];
    if (Math.sqrt(energy / 160) > rms) ms += 20;
  }
  return ms;
}
