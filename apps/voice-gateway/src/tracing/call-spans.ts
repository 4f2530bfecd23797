import type { CallEndReason, CallEventMap } from '@app/call-manager';
import {
  Attributes,
  Context,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
  Tracer,
} from '@opentelemetry/api';
import { SPAN_ATTRIBUTES } from './span-attributes';

/** Call spans kept open at once; beyond it the oldest is ended (a call.ended this instance never saw). */
export const MAX_OPEN_CALL_SPANS = 10_000;
/** Ends that make a call span an error. */
const FAILED_ENDS: ReadonlySet<CallEndReason> = new Set<CallEndReason>([
  'error',
  'agent-closed',
]);
/** Longest tool error message kept on a span (characters). */
const MAX_ERROR_CHARS = 300;

interface OpenCall {
  callSid: string;
  span: Span;
  context: Context;
  turns: number;
}

/** Epoch ms of an ISO 8601 time, or undefined when absent or not a time. */
function epochMs(iso: string | undefined): number | undefined {
  const ms = iso === undefined ? NaN : Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Turns call events into spans: one `call` span per call (from `call.started`, the stream attaching,
 * to `call.ended`), with children per answered caller turn (`turn`: the caller's end of speech to the
 * end of the agent's answer, `turn.latency_ms` to its first audio), per tool call (`execute_tool
 * <name>`) and per Gemini connection switch (`gemini.reconnect`). Every time comes from the event
 * (epoch ms), not from when the event is handled, so a late dispatch never skews a span. A child event
 * for a call with no open span (its stream attached on another instance) opens one.
 */
export class CallSpans {
  private readonly open = new Map<string, OpenCall>();

  constructor(
    private readonly tracer: Tracer,
    /** Epoch ms (tool spans end when their event is handled). */
    private readonly now: () => number = Date.now,
  ) {}

  /** Call spans open now. */
  get openCalls(): number {
    return this.open.size;
  }

  /** `call.started`: opens the call's span (at `at`) with who called whom. */
  callStarted(event: CallEventMap['call.started']): void {
    const call = this.call(event.callSid, epochMs(event.at));
    call.span.setAttributes(
      definedOnly({
        [SPAN_ATTRIBUTES.from]: event.from || undefined,
        [SPAN_ATTRIBUTES.to]: event.to || undefined,
        [SPAN_ATTRIBUTES.direction]: event.direction,
      }),
    );
  }

  /** `call.ended`: ends the call's span (opened now from its record if the stream never attached). */
  callEnded(event: CallEventMap['call.ended']): void {
    const record = event.record;
    const call =
      this.open.get(event.callSid) ??
      this.call(event.callSid, epochMs(record?.startedAt));
    this.open.delete(event.callSid);
    call.span.setAttributes(
      definedOnly({
        [SPAN_ATTRIBUTES.endReason]: event.reason,
        [SPAN_ATTRIBUTES.durationS]: event.durationSeconds,
        [SPAN_ATTRIBUTES.turns]: call.turns,
        [SPAN_ATTRIBUTES.direction]: record?.direction,
        [SPAN_ATTRIBUTES.from]: record?.from || undefined,
        [SPAN_ATTRIBUTES.to]: record?.to || undefined,
      }),
    );
    if (FAILED_ENDS.has(event.reason))
      call.span.setStatus({
        code: SpanStatusCode.ERROR,
        message: event.reason,
      });
    call.span.end(epochMs(record?.endedAt) ?? this.now());
  }

  /** `agent.turn`: a child from the caller's end of speech to the end of the agent's answer. */
  turn(event: CallEventMap['agent.turn']): void {
    const start = epochMs(event.callerEndedAt) ?? this.now();
    const call = this.call(event.callSid, start);
    call.turns++;
    this.child(call, 'turn', start, start + event.durationMs, {
      [SPAN_ATTRIBUTES.turnIndex]: call.turns,
      [SPAN_ATTRIBUTES.turnLatencyMs]: event.latencyMs,
      [SPAN_ATTRIBUTES.turnOutcome]: event.outcome,
    });
  }

  /** `tool.called`: a child ending now, `durationMs` long; an error status when the tool failed. */
  toolCalled(event: CallEventMap['tool.called']): void {
    const end = this.now();
    const start = end - event.durationMs;
    const span = this.child(
      this.call(event.callSid, start),
      `execute_tool ${event.name}`,
      start,
      undefined,
      {
        [SPAN_ATTRIBUTES.toolName]: event.name,
        [SPAN_ATTRIBUTES.toolOk]: event.ok,
        [SPAN_ATTRIBUTES.toolDurationMs]: event.durationMs,
      },
    );
    if (!event.ok)
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: (event.error ?? 'failed').slice(0, MAX_ERROR_CHARS),
      });
    span.end(end);
  }

  /** `agent.reconnected`: a child over the connection switch; an error status when it failed. */
  reconnected(event: CallEventMap['agent.reconnected']): void {
    const start = epochMs(event.startedAt) ?? this.now() - event.durationMs;
    const span = this.child(
      this.call(event.callSid, start),
      'gemini.reconnect',
      start,
      undefined,
      {
        [SPAN_ATTRIBUTES.reconnectReason]: event.reason,
        [SPAN_ATTRIBUTES.reconnectKind]: event.reason.startsWith('goAway')
          ? 'goAway'
          : 'closed',
        [SPAN_ATTRIBUTES.reconnectOk]: event.ok,
        [SPAN_ATTRIBUTES.reconnectResumed]: event.resumed,
      },
    );
    if (!event.ok) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(start + event.durationMs);
  }

  /** Ends every open call span now, marked unfinished (the process is shutting down). */
  endAll(): void {
    for (const callSid of [...this.open.keys()]) this.abandon(callSid);
  }

  /** The call's open span, opened at `start` (epoch ms; default now) when there is none. */
  private call(callSid: string, start?: number): OpenCall {
    const known = this.open.get(callSid);
    if (known) return known;
    if (this.open.size >= MAX_OPEN_CALL_SPANS)
      this.abandon(this.open.keys().next().value as string);
    const span = this.tracer.startSpan('call', {
      kind: SpanKind.SERVER,
      startTime: start ?? this.now(),
      attributes: { [SPAN_ATTRIBUTES.callSid]: callSid },
    });
    const context = trace.setSpan(ROOT_CONTEXT, span);
    const call = { callSid, span, context, turns: 0 };
    this.open.set(callSid, call);
    return call;
  }

  /** A child of the call's span over [start, end] (epoch ms); left open when `end` is undefined. */
  private child(
    call: OpenCall,
    name: string,
    start: number,
    end: number | undefined,
    attributes: Attributes,
  ): Span {
    const span = this.tracer.startSpan(
      name,
      {
        kind: SpanKind.INTERNAL,
        startTime: start,
        attributes: definedOnly({
          [SPAN_ATTRIBUTES.callSid]: call.callSid,
          ...attributes,
        }),
      },
      call.context,
    );
    if (end !== undefined) span.end(end);
    return span;
  }

  private abandon(callSid: string): void {
    const call = this.open.get(callSid);
    if (!call) return;
    this.open.delete(callSid);
    call.span.setAttribute(SPAN_ATTRIBUTES.unfinished, true);
    call.span.setAttribute(SPAN_ATTRIBUTES.turns, call.turns);
    call.span.end(this.now());
  }
}

/** The attributes whose values are defined (OpenTelemetry drops undefined ones with a warning). */
function definedOnly(attributes: Attributes): Attributes {
  const kept: Attributes = {};
  for (const [key, value] of Object.entries(attributes))
    if (value !== undefined) kept[key] = value;
  return kept;
}
