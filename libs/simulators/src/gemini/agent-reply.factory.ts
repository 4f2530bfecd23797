import { createResampler, resampleInt16 } from '@app/audio-bridge';
import { toneInt16 } from '../audio/pcm.util';
import { ReplyContext, ReplySpec } from './gemini-live.types';

/** Gemini Live's output rate. */
export const REPLY_RATE = 24000;

export const DEFAULT_REPLY: Extract<ReplySpec, { kind: 'tone' }> = {
  kind: 'tone',
  hz: 440,
  amplitude: 8000,
  ms: 1000,
};

/** A reply ready to stream: 24 kHz PCM16 and its transcript. */
export interface AgentReply {
  audio: Int16Array;
  text: string;
}

function echo(audio16k: Int16Array): Int16Array {
  const resampler = createResampler(16000, REPLY_RATE);
  try {
    // Push a filter's worth of zeros through so the tail is not cut off by the group delay.
    const tail = Math.ceil((resampler.delayMs * 16000) / 1000);
    const padded = new Int16Array(audio16k.length + tail);
    padded.set(audio16k);
    const out = resampleInt16(resampler, padded);
    const delay = Math.round((resampler.delayMs * REPLY_RATE) / 1000);
    return out.slice(delay, delay + Math.round(audio16k.length * 1.5));
  } finally {
    resampler.dispose();
  }
}

function describe(
  spec: ReplySpec,
  context: ReplyContext,
  audio: Int16Array,
): string {
  const ms = Math.round((audio.length * 1000) / REPLY_RATE);
  const what =
    spec.kind === 'tone'
      ? `a ${spec.hz ?? 440} hertz tone`
      : spec.kind === 'echo' && context.audio
        ? 'your words back'
        : 'some audio';
  return `reply ${context.turnIndex} plays ${what} for ${ms} milliseconds`;
}

/** Builds the agent's reply for one turn. */
export function buildAgentReply(
  spec: ReplySpec,
  context: ReplyContext,
  replyText?: (context: ReplyContext) => string,
): AgentReply {
  let audio: Int16Array;
  if (spec.kind === 'pcm') audio = spec.samples;
  else if (spec.kind === 'echo' && context.audio?.length)
    audio = echo(context.audio);
  else {
    const tone = spec.kind === 'tone' ? spec : DEFAULT_REPLY;
    audio = toneInt16(
      REPLY_RATE,
      tone.hz ?? 440,
      tone.ms ?? 1000,
      tone.amplitude ?? 8000,
    );
  }
  const text = replyText ? replyText(context) : describe(spec, context, audio);
  return { audio, text };
}
