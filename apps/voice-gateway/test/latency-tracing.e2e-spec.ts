import type { CallRecord } from '@app/call-manager';
import { GeminiLiveEmulator, TwilioCallSimulator } from '@app/simulators';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ADMIN_KEY,
  AUTH_TOKEN,
  CallHarness,
  eventually,
  GEMINI_KEY,
  PUBLIC_URL,
  startCallHarness,
} from './support/call-harness';
import { startCapturedService } from './support/captured-service';
import {
  OtlpReceiver,
  ReceivedSpan,
  startOtlpReceiver,
} from './support/otlp-receiver';

/** How far a measured turn latency may be from the emulator's response delay (ms). */
const TOLERANCE_MS = 50;
/** The caller's turn: a tone this long, then silence (the emulator ends a turn after 200 ms of it). */
const SPEECH_MS = 500;
const PAUSE_MS = 1300;

/** The emulator's voice: a 300 ms tone answers each caller turn. */
const EMULATOR = {
  reply: { kind: 'tone', hz: 440, amplitude: 6000, ms: 300 },
  silenceMs: 200,
} as const;

/** The service under test: the in-process harness, or the service as a child process. */
interface Service {
  call(): TwilioCallSimulator;
  admin(path: string): Promise<Response>;
}

/** `voice_turn_latency_seconds` sum and count from Prometheus text. */
async function latencyMetric(
  h: CallHarness,
): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
  const value = (name: string) =>
    Number(
      /^(\S+) (\S+)$/m.exec(
        text.split('\n').find((line) => line.startsWith(`${name} `)) ?? '',
      )?.[2] ?? NaN,
    );
  return {
    sum: value('voice_turn_latency_seconds_sum'),
    count: value('voice_turn_latency_seconds_count'),
  };
}

/** Places a call and speaks `turns` caller turns, each answered after the emulator's delay. */
async function talk(h: Service, turns: number): Promise<TwilioCallSimulator> {
  const call = h.call();
  expect((await call.placeCall()).stream).toBe(true);
  for (let i = 0; i < turns; i++) {
    await call.sendTone(1000, SPEECH_MS, 8000);
    await call.sendSilence(PAUSE_MS);
  }
  return call;
}

/** Hangs up and reads the final record once it carries its turn latencies. */
async function finalRecord(
  h: Service,
  call: TwilioCallSimulator,
): Promise<CallRecord> {
  await call.hangUp();
  return eventually(async () => {
    const res = await h.admin(`/calls/${call.callSid}`);
    const record = (await res.json()) as CallRecord;
    return record.status === 'completed' && record.turnLatencies
      ? record
      : undefined;
  }, 5000);
}

function spansOf(receiver: OtlpReceiver, callSid: string): ReceivedSpan[] {
  return receiver.spans.filter(
    (span) => span.attributes['twilio.call_sid'] === callSid,
  );
}

describe('Per-turn latency (real app, emulator with a response delay)', () => {
  let h: CallHarness;
  const RESPONSE_DELAY_MS = 400;

  beforeAll(async () => {
    h = await startCallHarness(
      {},
      { ...EMULATOR, voiceActivity: true, responseDelayMs: RESPONSE_DELAY_MS },
    );
  });

  afterAll(() => h.close());

  it('measures each turn (ACTIVITY_END → first agent audio sent) as the emulator delay: metric and record', async () => {
    const before = await latencyMetric(h);
    const call = await talk(h, 2);
    const record = await finalRecord(h, call);
    const after = await latencyMetric(h);

    const measured = record.turnLatencies ?? [];
    expect(measured).toHaveLength(2);
    for (const turn of measured) {
      expect(Math.abs(turn.ms - RESPONSE_DELAY_MS)).toBeLessThanOrEqual(
        TOLERANCE_MS,
      );
      expect(Date.parse(turn.at)).toBeGreaterThan(Date.parse(record.startedAt));
    }
    expect(after.count - before.count).toBe(2);
    const meanMs = ((after.sum - before.sum) / 2) * 1000;
    expect(Math.abs(meanMs - RESPONSE_DELAY_MS)).toBeLessThanOrEqual(
      TOLERANCE_MS,
    );
    console.log(
      `turn latency (ACTIVITY_END): configured ${RESPONSE_DELAY_MS} ms; record ${measured
        .map((t) => `${t.ms} ms`)
        .join(', ')}; metric mean ${meanMs.toFixed(1)} ms`,
    );
  }, 30_000);
});

describe('Call tracing over OTLP (the service as a process, a local OTLP receiver)', () => {
  jest.setTimeout(120_000);
  const RESPONSE_DELAY_MS = 250;

  it('exports a call span and its turn spans, with the CallSid, when the service shuts down', async () => {
    const receiver = await startOtlpReceiver();
    // No voiceActivity from this emulator: the input transcription marks the caller's end.
    const emulator = await GeminiLiveEmulator.start({
      apiKey: GEMINI_KEY,
      ...EMULATOR,
      responseDelayMs: RESPONSE_DELAY_MS,
    });
    const dir = mkdtempSync(join(tmpdir(), 'vg-tracing-'));
    const service = await startCapturedService({
      WEBHOOK_BASE_URL: PUBLIC_URL,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      ADMIN_API_KEY: ADMIN_KEY,
      GEMINI_API_KEY: GEMINI_KEY,
      GEMINI_LIVE_URL: emulator.url,
      DATABASE_URL: `sqlite:${join(dir, 'calls.db')}`,
      DRAIN_TIMEOUT_SECONDS: '0',
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'voice-gateway-e2e',
      // Batched for a minute: what arrives, arrives because shutdown flushes it.
      OTEL_BSP_SCHEDULE_DELAY: '60000',
    });
    try {
      expect(service.started).toBe(true);
      const svc: Service = {
        call: () =>
          new TwilioCallSimulator({
            serviceUrl: service.url,
            publicUrl: PUBLIC_URL,
            authToken: AUTH_TOKEN,
          }),
        admin: (path) =>
          fetch(service.url + path, {
            headers: { authorization: `Bearer ${ADMIN_KEY}` },
          }),
      };
      const call = await talk(svc, 2);
      const record = await finalRecord(svc, call);
      const measured = record.turnLatencies ?? [];
      expect(measured).toHaveLength(2);
      for (const turn of measured)
        expect(Math.abs(turn.ms - RESPONSE_DELAY_MS)).toBeLessThanOrEqual(
          TOLERANCE_MS,
        );
      expect(receiver.requests).toBe(0); // still batched

      await service.stop(); // SIGTERM: the SDK flushes on shutdown
      const spans = spansOf(receiver, call.callSid);
      const callSpan = spans.find((span) => span.name === 'call');
      const turns = spans.filter((span) => span.name === 'turn');
      expect(callSpan).toBeDefined();
      expect(turns).toHaveLength(2);
      expect(callSpan?.serviceName).toBe('voice-gateway-e2e');
      expect(callSpan?.parentSpanId).toBeUndefined();
      expect(callSpan?.attributes).toMatchObject({
        'call.direction': 'inbound',
        'call.end_reason': 'caller-hangup',
        'call.turns': 2,
      });
      for (const turn of turns) {
        expect(turn.traceId).toBe(callSpan?.traceId);
        expect(turn.parentSpanId).toBe(callSpan?.spanId);
        expect(turn.attributes['turn.outcome']).toBe('complete');
        const latency = Number(turn.attributes['turn.latency_ms']);
        expect(Math.abs(latency - RESPONSE_DELAY_MS)).toBeLessThanOrEqual(
          TOLERANCE_MS,
        );
        // To the end of the agent's answer: 8 chunks of 40 ms, streamed 20 ms apart by the emulator.
        expect(turn.endMs - turn.startMs).toBeGreaterThanOrEqual(latency + 120);
      }
      console.log(
        `turn latency (transcription): configured ${RESPONSE_DELAY_MS} ms; record ${measured
          .map((t) => `${t.ms} ms`)
          .join(', ')}; spans ${turns
          .map((t) => `${String(t.attributes['turn.latency_ms'])} ms`)
          .join(', ')}`,
      );
    } finally {
      await service.stop();
      await emulator.close();
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
