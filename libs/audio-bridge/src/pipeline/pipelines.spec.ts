import { amplitude, sine } from '../testing/signal.test-helper';
import { MULAW_DECODE_TABLE, MULAW_ENCODE_TABLE } from '../codec/mulaw.codec';
import { dspMemory } from '../dsp/dsp-memory';
import { AgentAudioPipeline } from './agent-audio.pipeline';
import { InvalidAudioPayloadError } from './audio-payload';
import { CallerAudioPipeline } from './caller-audio.pipeline';

const b64 = (a: Int16Array | Uint8Array): string =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const decodePcm = (s: string): Int16Array => {
  const bytes = Buffer.from(s, 'base64');
  return new Int16Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
  );
};

describe('CallerAudioPipeline (Twilio μ-law 8k → Gemini PCM16 16k)', () => {
  it('turns 20 ms μ-law frames of a 1 kHz tone into a 1 kHz tone at 16 kHz, same level', () => {
    const pipeline = new CallerAudioPipeline();
    const tone = sine(1000, 8000, 8000, 8000);
    const out: number[] = [];
    for (let f = 0; f < 50; f++) {
      const codes = Uint8Array.from(
        tone.subarray(f * 160, f * 160 + 160),
        (s) => MULAW_ENCODE_TABLE[s & 0xffff],
      );
      const frame = decodePcm(pipeline.process(b64(codes)));
      expect(frame.length).toBe(320);
      out.push(...frame);
    }
    const level = amplitude(out, 1000, 16000, 320);
    expect(Math.abs(20 * Math.log10(level / 8000))).toBeLessThan(0.2); // μ-law quantisation included
    pipeline.dispose();
  });

  it('with 40 ms upstream frames, hands out two frames at a time, bit for bit what 20 ms frames give', () => {
    const single = new CallerAudioPipeline();
    const batched = new CallerAudioPipeline(16000, 40);
    const tone = sine(440, 8000, 8000, 8000);
    const frames = Array.from({ length: 7 }, (_, f) =>
      b64(
        Uint8Array.from(
          tone.subarray(f * 160, f * 160 + 160),
          (s) => MULAW_ENCODE_TABLE[s & 0xffff],
        ),
      ),
    );
    const expected = Buffer.concat(
      frames.map((f) => Buffer.from(single.process(f), 'base64')),
    );
    const out = frames.map((f) => batched.process(f));
    expect(out.map((o) => Buffer.from(o, 'base64').length)).toEqual([
      0, 1280, 0, 1280, 0, 1280, 0,
    ]);
    expect(batched.pendingMs).toBe(20);
    out.push(batched.flush());
    expect(batched.pendingMs).toBe(0);
    expect(batched.flush()).toBe('');
    expect(Buffer.concat(out.map((o) => Buffer.from(o, 'base64')))).toEqual(
      expected,
    );
    single.dispose();
    batched.dispose();
  });

  it.each([10, 30, 20.5])('refuses a %p ms upstream frame', (ms) => {
    expect(() => new CallerAudioPipeline(16000, ms)).toThrow(RangeError);
  });

  it('returns an empty string for an empty payload', () => {
    const pipeline = new CallerAudioPipeline();
    expect(pipeline.process('')).toBe('');
    pipeline.dispose();
  });

  it.each(['not base64!', '////@@@@', 'AA AA'])(
    'rejects %p with InvalidAudioPayloadError',
    (bad) => {
      const pipeline = new CallerAudioPipeline();
      expect(() => pipeline.process(bad)).toThrow(InvalidAudioPayloadError);
      pipeline.dispose();
    },
  );

  it('decodes μ-law silence to PCM silence', () => {
    const pipeline = new CallerAudioPipeline();
    const out = decodePcm(
      pipeline.process(Buffer.alloc(160, 0xff).toString('base64')),
    );
    expect(out.every((s) => s === 0)).toBe(true);
    pipeline.dispose();
  });
});

describe('AgentAudioPipeline (Gemini PCM16 24k → Twilio μ-law 8k)', () => {
  const toneAt = (rate: number): Int16Array => sine(1000, rate, rate, 8000);

  function run(
    pipeline: AgentAudioPipeline,
    chunks: string[],
    mimeType?: string,
  ): number[] {
    const out: number[] = [];
    for (const chunk of chunks) {
      const payload = pipeline.processInlineData(chunk, mimeType);
      for (const code of Buffer.from(payload, 'base64'))
        out.push(MULAW_DECODE_TABLE[code]);
    }
    return out;
  }

  it('turns 40 ms chunks of a 24 kHz 1 kHz tone into μ-law 8 kHz at the same pitch and level', () => {
    const pipeline = new AgentAudioPipeline();
    const tone = toneAt(24000);
    const chunks = Array.from({ length: 25 }, (_, i) =>
      b64(tone.subarray(i * 960, i * 960 + 960)),
    );
    const out = run(pipeline, chunks, 'audio/pcm;rate=24000');
    expect(out.length).toBe(8000);
    expect(
      Math.abs(20 * Math.log10(amplitude(out, 1000, 8000, 200) / 8000)),
    ).toBeLessThan(0.2);
    pipeline.dispose();
  });

  it('carries an odd trailing byte into the next chunk', () => {
    const bytes = Buffer.from(toneAt(24000).buffer).subarray(0, 9600);
    const whole = new AgentAudioPipeline();
    const split = new AgentAudioPipeline();
    const expected = run(whole, [bytes.toString('base64')]);
    const got = run(split, [
      bytes.subarray(0, 4801).toString('base64'),
      bytes.subarray(4801).toString('base64'),
    ]);
    expect(got).toEqual(expected);
    whole.dispose();
    split.dispose();
  });

  it('follows the rate announced in the mimeType', () => {
    const pipeline = new AgentAudioPipeline();
    const tone16 = toneAt(16000);
    const chunks = Array.from({ length: 25 }, (_, i) =>
      b64(tone16.subarray(i * 640, i * 640 + 640)),
    );
    const out = run(pipeline, chunks, 'audio/pcm;rate=16000');
    expect(pipeline.inputRate).toBe(16000);
    expect(out.length).toBe(8000);
    expect(
      Math.abs(20 * Math.log10(amplitude(out, 1000, 8000, 200) / 8000)),
    ).toBeLessThan(0.2);
    pipeline.dispose();
  });

  it('rejects a mimeType with an unusable rate', () => {
    const pipeline = new AgentAudioPipeline();
    expect(() =>
      pipeline.processInlineData('AAAA', 'audio/pcm;rate=5'),
    ).toThrow(RangeError);
    pipeline.dispose();
  });

  it('releases all DSP memory of a call on dispose', () => {
    const memory = dspMemory();
    new CallerAudioPipeline().dispose();
    new AgentAudioPipeline().dispose();
    const before = memory.allocatedBytes;
    const caller = new CallerAudioPipeline();
    const agent = new AgentAudioPipeline();
    caller.process(Buffer.alloc(160, 0xff).toString('base64'));
    agent.process(Buffer.alloc(1920).toString('base64'));
    caller.dispose();
    agent.dispose();
    expect(memory.allocatedBytes).toBe(before);
  });
});
