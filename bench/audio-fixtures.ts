import { MULAW_ENCODE_TABLE } from '@app/audio-bridge';

/**
 * Deterministic speech-like test audio: a few voiced harmonics with a syllable-rate envelope plus a
 * little noise, so the codec and filters see realistic levels rather than a constant tone.
 */
export function speechLike(
  rate: number,
  seconds: number,
  seed = 1,
): Int16Array {
  const count = Math.round(rate * seconds);
  const out = new Int16Array(count);
  let state = seed >>> 0;
  const noise = (): number => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
  for (let i = 0; i < count; i++) {
    const t = i / rate;
    const pitch = 140 + 30 * Math.sin(2 * Math.PI * 0.7 * t);
    const envelope = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t);
    let v = 0;
    for (let h = 1; h <= 12; h++) {
      const f = pitch * h;
      if (f >= rate / 2) break;
      v += Math.sin(2 * Math.PI * f * t) / h;
    }
    out[i] = Math.round(6000 * envelope * v + 300 * noise());
  }
  return out;
}

/** Twilio `media` frames (20 ms of μ-law each) exactly as Twilio sends them. */
export function twilioMediaFrames(
  seconds: number,
  streamSid: string,
): string[] {
  const pcm = speechLike(8000, seconds);
  const frames: string[] = [];
  const codes = Buffer.alloc(160);
  for (let f = 0; f * 160 < pcm.length; f++) {
    for (let i = 0; i < 160; i++)
      codes[i] = MULAW_ENCODE_TABLE[pcm[f * 160 + i] & 0xffff];
    frames.push(
      JSON.stringify({
        event: 'media',
        sequenceNumber: String(f + 2),
        media: {
          track: 'inbound',
          chunk: String(f + 1),
          timestamp: String(f * 20),
          payload: codes.toString('base64'),
        },
        streamSid,
      }),
    );
  }
  return frames;
}

/** Gemini `serverContent` audio messages, `chunkMs` of 24 kHz PCM16 each. */
export function geminiAudioMessages(seconds: number, chunkMs = 40): string[] {
  const pcm = speechLike(24000, seconds, 7);
  const per = (24000 * chunkMs) / 1000;
  const messages: string[] = [];
  for (let start = 0; start < pcm.length; start += per) {
    const chunk = pcm.slice(start, start + per);
    const data = Buffer.from(chunk.buffer).toString('base64');
    messages.push(
      JSON.stringify({
        serverContent: {
          modelTurn: {
            parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data } }],
          },
        },
      }),
    );
  }
  return messages;
}
