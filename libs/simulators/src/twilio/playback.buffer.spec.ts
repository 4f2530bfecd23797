import { PlaybackBuffer } from './playback.buffer';

const ramp = (from: number, count: number): Int16Array =>
  Int16Array.from({ length: count }, (_, i) => from + i);

describe('PlaybackBuffer', () => {
  it('plays queued audio in order and pads with silence', () => {
    const buffer = new PlaybackBuffer();
    buffer.enqueueAudio(ramp(1, 100));
    buffer.enqueueAudio(ramp(101, 100));
    expect(Array.from(buffer.drain(150).audio)).toEqual(
      Array.from(ramp(1, 150)),
    );
    const rest = buffer.drain(80).audio;
    expect(Array.from(rest.subarray(0, 50))).toEqual(Array.from(ramp(151, 50)));
    expect(rest.subarray(50).every((s) => s === 0)).toBe(true);
    expect(buffer.heardAudio()).toHaveLength(230);
    expect(buffer.bufferedSamples).toBe(0);
  });

  it('fires a mark only once the audio before it has played', () => {
    const buffer = new PlaybackBuffer();
    buffer.enqueueAudio(ramp(1, 160));
    buffer.enqueueMark('a');
    buffer.enqueueAudio(ramp(1, 160));
    buffer.enqueueMark('b');
    expect(buffer.drain(159).marks).toEqual([]);
    expect(buffer.drain(1).marks).toEqual(['a']);
    expect(buffer.drain(100).marks).toEqual([]);
    expect(buffer.drain(100).marks).toEqual(['b']);
  });

  it('fires a mark with nothing before it on the next drain, and clear fires all pending marks', () => {
    const buffer = new PlaybackBuffer();
    buffer.enqueueMark('now');
    expect(buffer.drain(0).marks).toEqual(['now']);
    buffer.enqueueAudio(ramp(1, 800));
    buffer.enqueueMark('x');
    buffer.enqueueAudio(ramp(1, 800));
    buffer.enqueueMark('y');
    buffer.drain(160);
    expect(buffer.clear()).toEqual(['x', 'y']);
    expect(buffer.bufferedSamples).toBe(0);
    expect(buffer.drain(160).audio.every((s) => s === 0)).toBe(true);
  });
});
