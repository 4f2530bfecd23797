import { concatInt16, toneInt16 } from '../audio/pcm.util';
import { EnergyTurnDetector, TurnEnd, TurnEvent } from './energy-turn.detector';

const options = {
  threshold: 500,
  silenceMs: 300,
  minSpeechMs: 100,
  bargeInMs: 40,
};
const silence = (ms: number): Int16Array => new Int16Array(16 * ms);
const tone = (ms: number): Int16Array => toneInt16(16000, 1000, ms, 6000);

function feedInPieces(
  detector: EnergyTurnDetector,
  audio: Int16Array,
  piece: number,
): TurnEvent[] {
  const events: TurnEvent[] = [];
  for (let at = 0; at < audio.length; at += piece)
    events.push(...detector.push(audio.subarray(at, at + piece)));
  return events;
}

describe('EnergyTurnDetector', () => {
  it('ends a turn after 300 ms of silence and returns the voiced audio', () => {
    const detector = new EnergyTurnDetector(options);
    const audio = concatInt16([silence(100), tone(500), silence(320)]);
    const events = feedInPieces(detector, audio, 123);
    expect(events.map((e) => e.type)).toEqual(['speech', 'turn']);
    const turn = events[1] as TurnEnd;
    expect(turn.speechMs).toBe(500);
    expect(turn.audio.length).toBe(8000);
    expect(detector.inTurn).toBe(false);
  });

  it('waits for the full silence and ignores bursts shorter than minSpeechMs', () => {
    const detector = new EnergyTurnDetector(options);
    expect(
      detector.push(concatInt16([tone(60), silence(400)])).map((e) => e.type),
    ).toEqual(['speech']);
    expect(detector.push(concatInt16([tone(200), silence(280)]))).toHaveLength(
      1,
    );
    expect(detector.push(silence(20)).map((e) => e.type)).toEqual(['turn']);
  });

  it('keeps short pauses inside one turn and flushes on demand', () => {
    const detector = new EnergyTurnDetector(options);
    detector.push(concatInt16([tone(200), silence(200), tone(100)]));
    const event = detector.flush();
    expect(event).toMatchObject({ type: 'turn', speechMs: 500 });
    expect(detector.flush()).toBeUndefined();
  });
});
