import { PlaybackTimeline } from './playback-timeline';

/** ms → samples at 8 kHz. */
const ms = (n: number): number => n * 8;

/** The stored segments as [start, count, skip] in samples, within [from, to). */
function segments(t: PlaybackTimeline, from = 0, to = ms(100_000)) {
  const out: Array<[number, number, string, number]> = [];
  t.forEach(from, to, (payload, skip, at, count) =>
    out.push([at, count, payload, skip]),
  );
  return out;
}

describe('PlaybackTimeline (what the caller hears of the agent)', () => {
  it('queues audio sent faster than real time after the audio before it', () => {
    const t = new PlaybackTimeline();
    // Gemini's 40 ms chunks arriving 5 ms apart: Twilio plays them back to back.
    expect(t.play(ms(100), 'a', ms(40))).toBe(ms(100));
    expect(t.play(ms(105), 'b', ms(40))).toBe(ms(140));
    expect(t.play(ms(110), 'c', ms(40))).toBe(ms(180));
    expect(t.playEnd).toBe(ms(220));
    expect(segments(t).map(([at]) => at)).toEqual([ms(100), ms(140), ms(180)]);
  });

  it('leaves a gap (silence) when the queue ran dry before the next audio', () => {
    const t = new PlaybackTimeline();
    t.play(ms(0), 'a', ms(40));
    // Sent at 500 ms, long after the first chunk finished at 40 ms: it plays at once.
    expect(t.play(ms(500), 'b', ms(40))).toBe(ms(500));
    expect(segments(t, ms(40), ms(500))).toEqual([]);
  });

  it('clear: audio not yet played is cut at the moment of the clear, a straddling chunk truncated', () => {
    const t = new PlaybackTimeline();
    t.play(ms(0), 'a', ms(40)); // 0–40
    t.play(ms(1), 'b', ms(40)); // 40–80
    t.play(ms(2), 'c', ms(40)); // 80–120
    expect(t.clear(ms(50))).toBe(ms(70)); // 30 ms of b and all of c
    expect(t.playEnd).toBe(ms(50));
    expect(segments(t)).toEqual([
      [0, ms(40), 'a', 0],
      [ms(40), ms(10), 'b', 0],
    ]);
    // The next reply starts when it is sent, not after the dropped audio.
    expect(t.play(ms(60), 'd', ms(40))).toBe(ms(60));
    expect(t.storedSamples).toBe(ms(40 + 10 + 40));
  });

  it('clear with nothing queued changes nothing', () => {
    const t = new PlaybackTimeline();
    t.play(0, 'a', ms(40));
    expect(t.clear(ms(100))).toBe(0);
    expect(t.playEnd).toBe(ms(40));
  });

  it("marks: learns the send-to-play delay from Twilio's echoes and places the next reply later by it", () => {
    const t = new PlaybackTimeline();
    t.play(0, 'a', ms(200)); // 0–200 as far as this side can tell
    t.markSent('agent-1', ms(1));
    // Twilio echoes it at 260 ms: its audio finished 60 ms later than predicted.
    t.markPlayed('agent-1', ms(260));
    expect(t.lagSamples).toBe(ms(60));
    // A new reply on an empty queue plays 60 ms after it is sent.
    expect(t.play(ms(1000), 'b', ms(40))).toBe(ms(1060));
    // Audio queued behind it stays contiguous.
    expect(t.play(ms(1001), 'c', ms(40))).toBe(ms(1100));
    // A clear reaches Twilio with the same delay: what plays before then is kept.
    t.clear(ms(1010));
    expect(t.playEnd).toBe(ms(1070));
    expect(t.finalUntil(ms(1010))).toBe(ms(1070));
  });

  it('marks: the estimate is the least of recent echoes (jitter only delays them), clamped to 0–1 s', () => {
    const t = new PlaybackTimeline();
    const echo = (name: string, sentAt: number, lateBy: number) => {
      t.play(sentAt, name, ms(40));
      t.markSent(name, sentAt);
      t.markPlayed(name, t.playEnd - t.lagSamples + lateBy);
    };
    echo('m1', ms(0), ms(90));
    expect(t.lagSamples).toBe(ms(90));
    echo('m2', ms(1000), ms(40));
    echo('m3', ms(2000), ms(70));
    expect(t.lagSamples).toBe(ms(40));
    // An echo earlier than predicted (audio dropped before Twilio) cannot make the delay negative.
    echo('m4', ms(3000), -ms(500));
    expect(t.lagSamples).toBe(0);
    const slow = new PlaybackTimeline();
    slow.markSent('x', 0);
    slow.markPlayed('x', ms(5000));
    expect(slow.lagSamples).toBe(ms(1000));
  });

  it('marks: echoes of marks a clear made moot, and unknown marks, are not observations', () => {
    const t = new PlaybackTimeline();
    t.play(0, 'a', ms(400));
    t.markSent('agent-1', 0);
    t.clear(ms(100));
    // Twilio echoes pending marks at once on a clear; that says nothing about the delay.
    t.markPlayed('agent-1', ms(101));
    t.markPlayed('never-sent', ms(5000));
    expect(t.lagSamples).toBe(0);
  });

  it('commit: rendered audio is let go, and nothing is placed or cut before it', () => {
    const t = new PlaybackTimeline();
    t.play(0, 'a', ms(40));
    t.play(0, 'b', ms(40));
    t.commit(ms(50));
    expect(t.segments).toBe(1); // a ended by 40 ms; b (40–80) is still partly ahead
    expect(segments(t, ms(50))).toEqual([[ms(50), ms(30), 'b', ms(10)]]);
    // A clear "at" 20 ms cannot reach back before what was rendered (50 ms).
    t.clear(ms(20));
    expect(t.playEnd).toBe(ms(50));
    expect(t.play(ms(20), 'c', ms(10))).toBe(ms(50));
  });

  it('holds at most maxStoredSamples; audio beyond still advances the timeline (recorded as silence)', () => {
    const t = new PlaybackTimeline(ms(100));
    t.play(0, 'a', ms(80));
    expect(t.play(0, 'b', ms(40))).toBe(ms(80));
    expect(t.droppedSamples).toBe(ms(40));
    expect(t.playEnd).toBe(ms(120));
    expect(t.storedSamples).toBe(ms(80));
  });

  it('finish: audio still queued at Twilio when the call ends never played', () => {
    const t = new PlaybackTimeline();
    t.play(0, 'a', ms(1000));
    expect(t.finish(ms(300))).toBe(ms(300));
    expect(segments(t)).toEqual([[0, ms(300), 'a', 0]]);
  });
});
