import { ReplayBuffer } from './replay-buffer';

describe('ReplayBuffer', () => {
  it('keeps the newest audio when full, never dropping control messages, and replays in order', () => {
    const buffer = new ReplayBuffer<string>({ maxAudio: 3, maxControl: 10 });
    buffer.append('a1', true);
    buffer.append('text', false);
    for (const frame of ['a2', 'a3', 'a4', 'a5']) buffer.append(frame, true);
    expect(buffer.droppedAudio).toBe(2); // a1, then a2 (behind the control message)
    expect(buffer.unsentTo('link', 0).map((e) => e.frame)).toEqual([
      'text',
      'a3',
      'a4',
      'a5',
    ]);
  });

  it('releases through a seq and stays consistent across many drops and compactions', () => {
    const buffer = new ReplayBuffer<string>({ maxAudio: 50, maxControl: 10 });
    for (let i = 1; i <= 5000; i++) buffer.append(`a${i}`, true);
    expect(buffer.size).toBe(50);
    expect(buffer.droppedAudio).toBe(4950);
    buffer.release(4990);
    expect(buffer.size).toBe(10);
    expect(buffer.unsentTo('link', 4995).map((e) => e.seq)).toEqual([
      4996, 4997, 4998, 4999, 5000,
    ]);
    buffer.release(5000);
    expect(buffer.size).toBe(0);
    buffer.append('after', false);
    expect(buffer.unsentTo('link', 0).map((e) => e.frame)).toEqual(['after']);
  });
});
