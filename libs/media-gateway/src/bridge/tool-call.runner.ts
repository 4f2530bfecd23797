import type { CallEventMap, CallEvents } from '@app/call-manager';
import type {
  LiveFunctionCall,
  LiveSession,
  ToolCallOutcome,
  ToolCallScope,
} from '@app/gemini-client';

/** What runToolCall uses of its call's bridge (CallBridgeDeps, and two hooks into the bridge). */
export interface ToolCallHost {
  callSid: string;
  tools: ToolCallScope;
  session: Pick<LiveSession, 'sendToolResponse'>;
  events: Pick<CallEvents, 'emit'>;
}

/**
 * Runs one tool call off the audio path and answers Gemini with its id (and the tool's `scheduling`
 * when it declares one); errors, timeouts and results that cannot be serialized are error responses,
 * a cancelled call gets none. Call and result go to the transcript (`note`) and events. Nothing is
 * sent once the bridge has `closed`. The returned promise is tracked by the call's fault boundary.
 */
export async function runToolCall(
  call: LiveFunctionCall,
  host: ToolCallHost,
  bridge: { closed(): boolean; note(line: string): void },
): Promise<void> {
  const outcome = await host.tools.run(call);
  if (bridge.closed()) return;
  if (!outcome.cancelled) {
    const { id, name, response, scheduling } = outcome;
    host.session.sendToolResponse([{ id, name, response, scheduling }]);
  }
  bridge.note(toolTranscriptLine(outcome));
  host.events.emit('tool.called', toolCalledEvent(host.callSid, outcome));
}

/** Longest text of a tool call's arguments or result kept in the transcript (characters). */
const TOOL_TEXT_MAX = 300;

/** A value as short JSON for the transcript (values JSON cannot encode are named, not thrown). */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'null';
  } catch {
    text = '[unserializable]';
  }
  return text.length > TOOL_TEXT_MAX
    ? `${text.slice(0, TOOL_TEXT_MAX - 3)}...`
    : text;
}

/** The transcript's system line for a finished tool call: `tool name(args) → result`. */
export function toolTranscriptLine(outcome: ToolCallOutcome): string {
  const result = outcome.cancelled ? 'cancelled' : shown(outcome.response);
  return `tool ${outcome.name}(${shown(outcome.args)}) → ${result}`;
}

/** The `tool.called` call event for a finished tool call. */
export function toolCalledEvent(
  callSid: string,
  outcome: ToolCallOutcome,
): CallEventMap['tool.called'] {
  const { error } = outcome.response;
  return {
    callSid,
    name: outcome.name,
    args: outcome.args,
    ok: outcome.ok,
    result: outcome.response.result,
    error: typeof error === 'string' ? error : undefined,
    durationMs: outcome.durationMs,
  };
}
