import {
  FinishedTurn,
  MAX_RECORDED_TURNS,
  TurnLatencyTracker,
} from './turn-latency.tracker';

const T0 = Date.parse('2026-05-01T10:00:00.000Z');

function tracker() {
  let now = T0;
  const reported: FinishedTurn[] = [];
  const turns = new TurnLatencyTracker(
    (turn) => reported.push(turn),
    () => now,
  );
  const after = (ms: number) => (now += ms);
  return { turns, reported, after };
}

describe('TurnLatencyTracker', () => {
  it('without voice activity: from the last transcription piece before the reply to its first audio', () => {
    const { turns, reported, after } = tracker();
    turns.callerEnded('transcript');
    after(300);
    turns.callerEnded('transcript'); // the caller was still speaking: this piece is nearer the end
    after(500);
    turns.agentAudio();
    after(40);
    turns.agentAudio();
    turns.callerEnded('transcript'); // transcribed late, mid-reply: belongs to the turn answered
    after(960);
    turns.agentTurnEnded('complete');
    expect(turns.latencies).toEqual([
      { at: '2026-05-01T10:00:00.300Z', ms: 500 },
    ]);
    expect(reported).toEqual([
      {
        callerEndedAt: '2026-05-01T10:00:00.300Z',
        latencyMs: 500,
        durationMs: 1500,
        outcome: 'complete',
      },
    ]);
  });

  it('with voice activity: ACTIVITY_END wins, later transcription never moves it, ACTIVITY_START cancels', () => {
    const { turns, after } = tracker();
    turns.callerStarted();
    turns.callerEnded('activity');
    after(200);
    turns.callerStarted(); // a pause, not the end: the caller goes on
    after(400);
    turns.callerEnded('activity');
    after(100);
    turns.callerEnded('transcript');
    after(250);
    turns.agentAudio();
    expect(turns.latencies).toEqual([
      { at: '2026-05-01T10:00:00.600Z', ms: 350 },
    ]);
  });

  it('audio of a reply still open never ends a wait; the next reply after it does', () => {
    const { turns, reported, after } = tracker();
    turns.agentAudio(); // the greeting: no caller turn, nothing measured
    turns.callerEnded('activity'); // the caller spoke over it (NO_INTERRUPTION)
    after(300);
    turns.agentAudio(); // still the greeting
    turns.generationEnded();
    after(200);
    turns.agentAudio(); // the answer
    turns.agentTurnEnded('interrupted');
    expect(turns.latencies).toEqual([
      { at: '2026-05-01T10:00:00.000Z', ms: 500 },
    ]);
    expect(reported.map((turn) => turn.outcome)).toEqual(['interrupted']);
  });

  it('reports a reply in progress and an unanswered turn when the call ends, then nothing more', () => {
    const { turns, reported, after } = tracker();
    turns.callerEnded('activity');
    after(100);
    turns.agentAudio();
    turns.agentTurnEnded('complete');
    turns.callerEnded('activity');
    after(700);
    turns.close();
    turns.agentAudio();
    turns.agentTurnEnded('complete');
    expect(reported).toEqual([
      expect.objectContaining({ outcome: 'complete', latencyMs: 100 }),
      {
        callerEndedAt: '2026-05-01T10:00:00.100Z',
        durationMs: 700,
        outcome: 'call-ended',
      },
    ]);
    expect(turns.latencies).toHaveLength(1);
  });

  it(`keeps at most ${MAX_RECORDED_TURNS} turns for the record`, () => {
    const { turns } = tracker();
    for (let i = 0; i < MAX_RECORDED_TURNS + 5; i++) {
      turns.callerEnded('activity');
      turns.agentAudio();
      turns.agentTurnEnded('complete');
    }
    expect(turns.latencies).toHaveLength(MAX_RECORDED_TURNS);
  });
});
