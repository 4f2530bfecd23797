import { mediaMetrics } from '../metrics/media.metrics';
import { PROMPTS } from '../prompts/prompts.generated';
import {
  chunk,
  PCM,
  setup,
  slowTool,
  STALL_MS,
} from './agent-monitor.test-helper';
import { STALL_NUDGE_TEXT } from './stall-watchdog';

async function stalls(outcome: string): Promise<number> {
  const { values } = await mediaMetrics.agentStalls.get();
  return values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

describe('AgentMonitor', () => {
  afterEach(() => jest.useRealTimers());

  it('ACTIVITY_START while the agent plays: clear at once; the interrupted that follows clears nothing twice', () => {
    const { session, events, transcript, close } = setup();
    for (let i = 0; i < 3; i++) session.emit('audio', chunk, PCM);
    session.emit('outputTranscript', 'Our hours are');
    session.emit('voiceActivity', 'start');
    expect(events()).toEqual(['media', 'media', 'media', 'clear']);
    session.emit('interrupted');
    expect(events()).toEqual(['media', 'media', 'media', 'clear']);
    expect(transcript).toEqual([['agent', 'Our hours are [interrupted]']]);
    // Audio still in flight after the clear is cleared again by `interrupted`.
    session.emit('audio', chunk, PCM);
    session.emit('interrupted');
    expect(events().slice(4)).toEqual(['media', 'clear']);
    close();
  });

  it('ACTIVITY_START with nothing playing sends no clear (a caller simply starting a turn)', () => {
    const { session, events, close } = setup();
    session.emit('voiceActivity', 'start');
    for (let i = 0; i < 2; i++) session.emit('audio', chunk, PCM);
    session.emit('turnComplete');
    expect(events()).toEqual(['media', 'media', 'mark']);
    close();
  });

  it('sums usage over the call and queues it for the record when the call ends', () => {
    const { session, usage, close } = setup();
    session.emit('usage', {
      promptTokenCount: 10,
      responseTokenCount: 40,
      totalTokenCount: 50,
      responseTokensDetails: [{ modality: 'AUDIO', tokenCount: 40 }],
    });
    session.emit('usage', {
      promptTokenCount: 5,
      responseTokenCount: 20,
      totalTokenCount: 25,
      responseTokensDetails: [{ modality: 'AUDIO', tokenCount: 20 }],
    });
    close();
    expect(usage).toEqual([
      {
        promptTokenCount: 15,
        responseTokenCount: 60,
        totalTokenCount: 75,
        responseTokensDetails: [{ modality: 'AUDIO', tokenCount: 60 }],
        messages: 2,
      },
    ]);
  });

  it('a silent agent: nudged once after the timeout, then the "one moment" prompt; counted and noted', async () => {
    jest.useFakeTimers();
    const prompted = await stalls('prompted');
    const { session, socket, transcript, events, close } = setup();
    session.emit('inputTranscript', 'What time do you open?');
    jest.advanceTimersByTime(STALL_MS - 1);
    expect(session.texts).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(session.texts).toEqual([STALL_NUDGE_TEXT]);
    expect(transcript.map(([role]) => role)).toEqual(['caller', 'system']);
    jest.advanceTimersByTime(STALL_MS);
    expect(events()).toEqual(['media', 'mark']);
    const media = socket.sent[0].media as { payload: string };
    expect(media.payload).toBe(PROMPTS.oneMomentPlease);
    expect(transcript[2]).toEqual([
      'system',
      'agent still silent 1 s after the nudge: played "one moment, please"',
    ]);
    expect(await stalls('prompted')).toBe(prompted + 1);
    jest.advanceTimersByTime(10 * STALL_MS); // once per caller turn
    expect(session.texts).toHaveLength(1);
    expect(events()).toHaveLength(2);
    close();
  });

  it('a nudge that works: the agent answers, no prompt plays; counted as nudged', async () => {
    jest.useFakeTimers();
    const nudged = await stalls('nudged');
    const { session, events, close } = setup();
    session.emit('voiceActivity', 'end');
    jest.advanceTimersByTime(STALL_MS);
    expect(session.texts).toEqual([STALL_NUDGE_TEXT]);
    session.emit('audio', chunk, PCM);
    jest.advanceTimersByTime(5 * STALL_MS);
    expect(events()).toEqual(['media']);
    expect(await stalls('nudged')).toBe(nudged + 1);
    close();
  });

  it('input transcription that arrives while the agent is mid-reply owes no second reply', () => {
    jest.useFakeTimers();
    const { session, close } = setup();
    session.emit('inputTranscript', 'Do you deliver?');
    session.emit('audio', chunk, PCM); // the reply starts
    session.emit('inputTranscript', ' on Sundays?'); // the caller's last words, transcribed late
    session.emit('turnComplete');
    jest.advanceTimersByTime(5 * STALL_MS);
    expect(session.texts).toEqual([]);
    session.emit('inputTranscript', 'And on Mondays?'); // a new caller turn
    jest.advanceTimersByTime(STALL_MS);
    expect(session.texts).toEqual([STALL_NUDGE_TEXT]);
    close();
  });

  it('never fires while the model thinks (IN_PROGRESS), while a tool runs, or while the caller talks', async () => {
    jest.useFakeTimers();
    const tool = slowTool();
    const { session, close } = setup(tool.registry);
    session.emit('inputTranscript', 'Check my order');
    session.emit('interactionStatus', 'IN_PROGRESS');
    jest.advanceTimersByTime(5 * STALL_MS);
    expect(session.texts).toEqual([]);
    session.emit('interactionStatus', 'IDLE'); // done thinking, still silent: the wait starts over
    session.emit('toolCall', [{ id: 't1', name: 'lookup', args: {} }]);
    jest.advanceTimersByTime(5 * STALL_MS);
    expect(session.texts).toEqual([]);
    tool.finish({ status: 'shipped' });
    await jest.advanceTimersByTimeAsync(0);
    expect(session.answers).toEqual([
      {
        id: 't1',
        name: 'lookup',
        response: { result: { status: 'shipped' } },
        scheduling: 'WHEN_IDLE',
      },
    ]);
    session.emit('voiceActivity', 'start'); // the caller talks again meanwhile
    jest.advanceTimersByTime(5 * STALL_MS);
    expect(session.texts).toEqual([]);
    session.emit('voiceActivity', 'end');
    jest.advanceTimersByTime(STALL_MS);
    expect(session.texts).toEqual([STALL_NUDGE_TEXT]);
    close();
  });
});
