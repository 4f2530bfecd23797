import { Registry } from 'prom-client';
import { FrameTally, TallyHistogram } from './frame-tally';

describe('FrameTally and TallyHistogram', () => {
  it('counts each frame in the first bucket whose bound is not below it', () => {
    const tally = new FrameTally([0.001, 0.01]);
    tally.observe(0.0005);
    tally.observe(0.001);
    tally.observe(0.005);
    tally.observe(1);
    expect(tally.count).toBe(4);
    expect(tally.sum).toBeCloseTo(1.0065, 9);
    expect([...tally.buckets]).toEqual([2, 1, 1]);
  });

  it('renders what a prom-client Histogram would: cumulative buckets, +Inf, sum, count; no series before a frame', async () => {
    const registry = new Registry();
    const tallies = {
      caller_to_agent: new FrameTally([0.001, 0.01]),
      agent_to_caller: new FrameTally([0.001, 0.01]),
    };
    const histogram = new TallyHistogram(
      { name: 'test_seconds', help: 'test', buckets: [0.001, 0.01] },
      'direction',
      tallies,
    );
    registry.registerMetric(histogram);
    tallies.caller_to_agent.observe(0.0005);
    tallies.caller_to_agent.observe(0.002);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE test_seconds histogram');
    expect(text).toContain(
      'test_seconds_bucket{le="0.001",direction="caller_to_agent"} 1',
    );
    expect(text).toContain(
      'test_seconds_bucket{le="0.01",direction="caller_to_agent"} 2',
    );
    expect(text).toContain(
      'test_seconds_bucket{le="+Inf",direction="caller_to_agent"} 2',
    );
    expect(text).toContain(
      'test_seconds_sum{direction="caller_to_agent"} 0.0025',
    );
    expect(text).toContain('test_seconds_count{direction="caller_to_agent"} 2');
    expect(text).not.toContain('agent_to_caller');
  });
});
