/** Span attribute names (README, Observability). The call's Twilio CallSid is on every span. */
export const SPAN_ATTRIBUTES = {
  callSid: 'twilio.call_sid',
  direction: 'call.direction',
  from: 'call.from',
  to: 'call.to',
  endReason: 'call.end_reason',
  durationS: 'call.duration_s',
  turns: 'call.turns',
  /** Set on call spans ended by a shutdown or an overflow rather than by `call.ended`. */
  unfinished: 'call.unfinished',
  turnIndex: 'turn.index',
  turnLatencyMs: 'turn.latency_ms',
  turnOutcome: 'turn.outcome',
  toolName: 'gen_ai.tool.name',
  toolOk: 'tool.ok',
  toolDurationMs: 'tool.duration_ms',
  reconnectReason: 'gemini.reconnect.reason',
  reconnectKind: 'gemini.reconnect.kind',
  reconnectOk: 'gemini.reconnect.ok',
  reconnectResumed: 'gemini.reconnect.resumed',
} as const;
