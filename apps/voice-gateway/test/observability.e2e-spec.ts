import {
  CallHarness,
  eventually,
  startCallHarness,
} from './support/call-harness';

/** Metric value from Prometheus text: the sample whose name and labels match exactly. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Metrics, security headers and rate limits (real app)', () => {
  let h: CallHarness;

  beforeAll(async () => {
    h = await startCallHarness(
      {},
      {
        reply: { kind: 'tone', hz: 440, amplitude: 6000, ms: 300 },
        silenceMs: 200,
      },
    );
  });

  afterAll(() => h.close());

  it('GET /metrics counts frames both ways, live calls, ended calls and transcript write lag', async () => {
    const call = h.call();
    await call.placeCall();
    await call.sendTone(1000, 300, 8000);
    await call.sendSilence(300);
    await eventually(
      () => (call.firstAudioAtMs !== undefined ? true : undefined),
      3000,
    );
    const during = await (await fetch(`${h.baseUrl}/metrics`)).text();
    expect(sample(during, 'voice_calls_live')).toBe(1);
    await call.sendSilence(500);
    await call.hangUp();
    await eventually(async () => {
      const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
      return sample(text, 'voice_calls_live') === 0 ? true : undefined;
    });
    const res = await fetch(`${h.baseUrl}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(
      sample(text, 'voice_media_frames_total{direction="caller_to_agent"}'),
    ).toBeGreaterThan(40);
    expect(
      sample(text, 'voice_media_frames_total{direction="agent_to_caller"}'),
    ).toBeGreaterThan(5);
    expect(
      sample(text, 'voice_calls_ended_total{reason="caller-hangup"}'),
    ).toBe(1);
    expect(
      sample(
        text,
        'voice_bridge_processing_seconds_count{direction="caller_to_agent"}',
      ),
    ).toBeGreaterThan(40);
    expect(
      sample(text, 'voice_transcript_write_lag_seconds_count'),
    ).toBeGreaterThan(0);
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('counts refused streams by reason', async () => {
    const refused = await h.call().placeCall({ streamSignature: 'forged' });
    expect(refused.stream).toBe(true); // the socket opens; the service closes it with 1008
    await eventually(async () => {
      const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
      return (
        sample(
          text,
          'voice_media_stream_messages_rejected_total{reason="bad-signature"}',
        ) === 1
      );
    });
  });

  it('sends security headers', async () => {
    const res = await fetch(`${h.baseUrl}/health`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('rate-limits the webhook and admin routes per client (429), never health or metrics', async () => {
    const hammer = async (
      path: string,
      init: RequestInit,
      count: number,
    ): Promise<number[]> => {
      const statuses: number[] = [];
      for (let i = 0; i < count; i += 50) {
        const batch = Array.from({ length: Math.min(50, count - i) }, () =>
          fetch(h.baseUrl + path, init),
        );
        for (const res of await Promise.all(batch)) statuses.push(res.status);
      }
      return statuses;
    };
    // Unsigned webhooks spend the client's failure budget (rate-limits.e2e-spec.ts has the details).
    const webhook = await hammer('/incoming-call', { method: 'POST' }, 620);
    expect(webhook.filter((s) => s === 403).length).toBeGreaterThan(0);
    expect(webhook.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20);
    // The admin API has its own per-client limit, counted before authentication.
    const admin = await hammer('/calls', {}, 620);
    expect(admin.filter((s) => s === 401).length).toBeGreaterThan(0);
    expect(admin.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20);
    const health = await hammer('/health/live', {}, 100);
    expect(health.every((s) => s === 200)).toBe(true);
  }, 20000);
});
