import { mediaMetrics } from '../metrics/media.metrics';
import { chunk, clock, PCM, setup } from './agent-monitor.test-helper';

describe('AgentMonitor: turns and connection switches', () => {
  it('measures each answered turn from ACTIVITY_END to the first agent audio: metric, record, agent.turn', async () => {
    const before = await mediaMetrics.turnLatency.get();
    const count = () =>
      before.values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
    const { session, latencies, emitted, close } = setup();
    session.emit('voiceActivity', 'start');
    session.emit('voiceActivity', 'end');
    clock.now += 420;
    session.emit('audio', chunk, PCM);
    clock.now += 80;
    session.emit('audio', chunk, PCM); // the same reply: measured once
    session.emit('turnComplete');
    session.emit('voiceActivity', 'start');
    session.emit('voiceActivity', 'end');
    clock.now += 90;
    session.emit('reconnecting', 'goAway (5s)');
    clock.now += 210;
    session.emit('reconnected', {
      resumed: true,
      attempt: 0,
      reason: 'goAway (5s)',
      replayed: 0,
      switchMs: 210,
    });
    session.emit('audio', chunk, PCM);
    close();
    expect(latencies).toEqual([
      [
        { at: '2026-05-01T10:00:00.000Z', ms: 420 },
        { at: '2026-05-01T10:00:00.500Z', ms: 300 },
      ],
    ]);
    // (the bridge's own agent.interrupted, from the barge-in, is not this test's concern)
    const reported = emitted.filter(([name]) => name !== 'agent.interrupted');
    expect(reported).toEqual([
      [
        'agent.turn',
        {
          callSid: 'CA1',
          callerEndedAt: '2026-05-01T10:00:00.000Z',
          latencyMs: 420,
          durationMs: 500,
          outcome: 'complete',
        },
      ],
      [
        'agent.reconnected',
        {
          callSid: 'CA1',
          startedAt: '2026-05-01T10:00:00.590Z',
          durationMs: 210,
          reason: 'goAway (5s)',
          ok: true,
          resumed: true,
        },
      ],
      [
        'agent.turn',
        {
          callSid: 'CA1',
          callerEndedAt: '2026-05-01T10:00:00.500Z',
          latencyMs: 300,
          durationMs: 300,
          outcome: 'call-ended',
        },
      ],
    ]);
    const after = await mediaMetrics.turnLatency.get();
    const total = after.values.find((v) => v.metricName?.endsWith('_count'));
    expect(total?.value).toBe(count() + 2);
  });
});
