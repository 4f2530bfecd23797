import { readServerEvents, ServerEventSink } from './server-events';
import { readUsage, UsageTotals } from './usage-totals';

describe('UsageTotals', () => {
  it('sums every report of a call, counts and per-modality details alike', () => {
    const totals = new UsageTotals();
    expect(totals.empty).toBe(true);
    totals.add({
      promptTokenCount: 50,
      responseTokenCount: 100,
      totalTokenCount: 150,
      promptTokensDetails: [{ modality: 'AUDIO', tokenCount: 50 }],
      responseTokensDetails: [
        { modality: 'AUDIO', tokenCount: 90 },
        { modality: 'TEXT', tokenCount: 10 },
      ],
    });
    totals.add({
      promptTokenCount: 30,
      responseTokenCount: 25,
      thoughtsTokenCount: 7,
      totalTokenCount: 62,
      promptTokensDetails: [
        { modality: 'TEXT', tokenCount: 5 },
        { modality: 'AUDIO', tokenCount: 25 },
      ],
      responseTokensDetails: [{ modality: 'AUDIO', tokenCount: 25 }],
    });
    expect(totals.toJSON()).toEqual({
      promptTokenCount: 80,
      responseTokenCount: 125,
      thoughtsTokenCount: 7,
      totalTokenCount: 212,
      promptTokensDetails: [
        { modality: 'AUDIO', tokenCount: 75 },
        { modality: 'TEXT', tokenCount: 5 },
      ],
      responseTokensDetails: [
        { modality: 'AUDIO', tokenCount: 115 },
        { modality: 'TEXT', tokenCount: 10 },
      ],
      messages: 2,
    });
  });

  it('reports zero prompt, response and total tokens when nothing was reported', () => {
    expect(new UsageTotals().toJSON()).toEqual({
      promptTokenCount: 0,
      responseTokenCount: 0,
      totalTokenCount: 0,
      messages: 0,
    });
  });
});

describe('readUsage', () => {
  it('keeps what is usable and flags what has the wrong type', () => {
    expect(
      readUsage({
        promptTokenCount: 3,
        responseTokenCount: '4',
        totalTokenCount: -1,
        responseTokensDetails: [
          { modality: 'AUDIO', tokenCount: 4 },
          { tokenCount: 2 },
          { modality: 7, tokenCount: 1 },
        ],
        promptTokensDetails: 'AUDIO',
        trafficType: 'ON_DEMAND',
      }),
    ).toEqual({
      usage: {
        promptTokenCount: 3,
        responseTokensDetails: [
          { modality: 'AUDIO', tokenCount: 4 },
          { modality: 'MODALITY_UNSPECIFIED', tokenCount: 2 },
        ],
      },
      malformed: true,
    });
    expect(readUsage('nope')).toBeUndefined();
  });

  it('reaches the session as a `usage` event, with voice activity and interaction status', () => {
    const seen: unknown[] = [];
    const sink = new Proxy({} as ServerEventSink, {
      get:
        (_t, name: string) =>
        (...args: unknown[]) =>
          seen.push([name, ...args]),
    });
    const skipped = readServerEvents(
      {
        voiceActivity: { voiceActivityType: 'ACTIVITY_START' },
        serverContent: { turnComplete: true, interactionStatus: 'IN_PROGRESS' },
        usageMetadata: { promptTokenCount: 1, totalTokenCount: 1 },
      },
      sink,
    );
    expect(skipped).toBe(0);
    expect(seen).toEqual([
      ['voiceActivity', 'start'],
      ['turnComplete'],
      ['interactionStatus', 'IN_PROGRESS'],
      ['usage', { promptTokenCount: 1, totalTokenCount: 1 }],
    ]);
    seen.length = 0;
    readServerEvents(
      {
        voiceActivity: { voiceActivityType: 'ACTIVITY_END' },
        serverContent: { interactionStatus: 'REQUIRES_ACTION' },
      },
      sink,
    );
    expect(seen).toEqual([
      ['voiceActivity', 'end'],
      ['interactionStatus', 'IDLE'],
    ]);
    expect(
      readServerEvents(
        {
          voiceActivity: 'start',
          serverContent: { interactionStatus: 3 },
        } as never,
        sink,
      ),
    ).toBe(2);
  });
});
