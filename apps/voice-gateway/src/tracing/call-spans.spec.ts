import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { CallSpans } from './call-spans';
import { SPAN_ATTRIBUTES as A } from './span-attributes';

const T0 = Date.parse('2026-05-01T10:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();
/** A span's start or end as epoch ms. */
const ms = ([s, ns]: [number, number]) => s * 1000 + ns / 1e6 - T0;

function setup() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  let now = T0;
  const spans = new CallSpans(provider.getTracer('test'), () => now);
  const finished = () => exporter.getFinishedSpans();
  const named = (name: string): ReadableSpan => {
    const span = finished().find((s) => s.name === name);
    if (!span) throw new Error(`no span ${name}`);
    return span;
  };
  return { spans, finished, named, at: (t: number) => (now = T0 + t) };
}

describe('CallSpans', () => {
  it('one call span with turn, tool and reconnect children, all carrying the CallSid', () => {
    const { spans, named, finished, at } = setup();
    spans.callStarted({
      callSid: 'CA1',
      from: '+15550001111',
      to: '+15550002222',
      at: iso(0),
      direction: 'inbound',
    });
    spans.turn({
      callSid: 'CA1',
      callerEndedAt: iso(1000),
      latencyMs: 420,
      durationMs: 1500,
      outcome: 'complete',
    });
    at(4000);
    spans.toolCalled({
      callSid: 'CA1',
      name: 'lookup_order',
      args: {},
      ok: false,
      error: 'timed out',
      durationMs: 800,
    });
    spans.reconnected({
      callSid: 'CA1',
      startedAt: iso(5000),
      durationMs: 250,
      reason: 'goAway (5s)',
      ok: true,
      resumed: true,
    });
    spans.callEnded({
      callSid: 'CA1',
      reason: 'caller-hangup',
      durationSeconds: 9,
    });
    expect(finished()).toHaveLength(4);
    const call = named('call');
    expect(call.kind).toBe(SpanKind.SERVER);
    expect(call.attributes).toEqual({
      [A.callSid]: 'CA1',
      [A.from]: '+15550001111',
      [A.to]: '+15550002222',
      [A.direction]: 'inbound',
      [A.endReason]: 'caller-hangup',
      [A.durationS]: 9,
      [A.turns]: 1,
    });
    expect([ms(call.startTime), ms(call.endTime)]).toEqual([0, 4000]);
    const turn = named('turn');
    expect(turn.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    expect(turn.spanContext().traceId).toBe(call.spanContext().traceId);
    expect(turn.attributes).toEqual({
      [A.callSid]: 'CA1',
      [A.turnIndex]: 1,
      [A.turnLatencyMs]: 420,
      [A.turnOutcome]: 'complete',
    });
    expect([ms(turn.startTime), ms(turn.endTime)]).toEqual([1000, 2500]);
    const tool = named('execute_tool lookup_order');
    expect(tool.attributes).toMatchObject({
      [A.callSid]: 'CA1',
      [A.toolName]: 'lookup_order',
      [A.toolOk]: false,
      [A.toolDurationMs]: 800,
    });
    expect(tool.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'timed out',
    });
    expect([ms(tool.startTime), ms(tool.endTime)]).toEqual([3200, 4000]);
    const reconnect = named('gemini.reconnect');
    expect(reconnect.attributes).toMatchObject({
      [A.reconnectKind]: 'goAway',
      [A.reconnectOk]: true,
      [A.reconnectResumed]: true,
    });
    expect(reconnect.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
  });

  it('a call that never attached a stream gets its span from the record; a failed end is an error', () => {
    const { spans, named } = setup();
    spans.callEnded({
      callSid: 'CA2',
      reason: 'error',
      durationSeconds: 0,
      record: {
        callSid: 'CA2',
        from: '+15550001111',
        to: '+15550002222',
        direction: 'outbound',
        status: 'failed',
        startedAt: iso(0),
        endedAt: iso(3000),
        transcript: [],
      },
    });
    const call = named('call');
    expect(call.status.code).toBe(SpanStatusCode.ERROR);
    expect(call.attributes[A.direction]).toBe('outbound');
    expect([ms(call.startTime), ms(call.endTime)]).toEqual([0, 3000]);
  });

  it('children of a call not seen starting open its span; shutdown ends it as unfinished', () => {
    const { spans, named, at } = setup();
    spans.turn({
      callSid: 'CA3',
      callerEndedAt: iso(100),
      durationMs: 900,
      outcome: 'call-ended',
    });
    expect(spans.openCalls).toBe(1);
    at(2000);
    spans.endAll();
    expect(spans.openCalls).toBe(0);
    const call = named('call');
    expect(call.attributes).toMatchObject({
      [A.callSid]: 'CA3',
      [A.unfinished]: true,
      [A.turns]: 1,
    });
    expect(named('turn').attributes[A.turnLatencyMs]).toBeUndefined();
  });
});
