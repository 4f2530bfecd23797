import type { LiveFunctionCall } from '../live/live-messages';
import type { ToolResponseScheduling } from '../live/tool-call-routes';
import type { ToolCallContext } from './agent-tool.decorator';
import type { AgentToolRegistry } from './agent-tool.registry';

const DEFAULT_TIMEOUT_MS = 5000;

/** One finished tool call: the response for Gemini, and what the transcript and events report. */
export interface ToolCallOutcome {
  id: string;
  name: string;
  args: unknown;
  ok: boolean;
  /** What goes back to the model as `functionResponses[].response`. */
  response: Record<string, unknown>;
  durationMs: number;
  cancelled: boolean;
  /** The tool's declared `scheduling`, sent with the answer (NON_BLOCKING tools). */
  scheduling?: ToolResponseScheduling;
}

/**
 * A call's running tool calls. Arguments are validated against the declared schema before the handler
 * runs; the handler gets a timeout and an AbortSignal; errors, timeouts and unknown tools become error
 * responses for the model (never exceptions for the call); `toolCallCancellation` aborts handlers.
 */
export class ToolCallScope {
  private readonly running = new Map<string, AbortController>();
  private readonly settledListeners: Array<(outcome: ToolCallOutcome) => void> =
    [];

  constructor(
    private readonly registry: AgentToolRegistry,
    private readonly call: Omit<ToolCallContext, 'signal'>,
  ) {}

  /** Tool calls running now (handlers started, not yet finished). */
  get active(): number {
    return this.running.size;
  }

  /**
   * Calls `listener` with every outcome as its call finishes (before the caller of `run` sees it).
   * The call's stall watchdog uses it: the model owes the caller a reply once a tool has answered.
   */
  onSettled(listener: (outcome: ToolCallOutcome) => void): void {
    this.settledListeners.push(listener);
  }

  async run(call: LiveFunctionCall): Promise<ToolCallOutcome> {
    const result = await this.execute(call);
    for (const listener of this.settledListeners) listener(result);
    return result;
  }

  private async execute(call: LiveFunctionCall): Promise<ToolCallOutcome> {
    const started = performance.now();
    const args = call.args ?? {};
    const tool = this.registry.get(call.name);
    const scheduling = tool?.options.scheduling;
    const outcome = (
      ok: boolean,
      response: Record<string, unknown>,
      cancelled = false,
    ): ToolCallOutcome => ({
      id: call.id,
      name: call.name,
      args,
      ok,
      response,
      cancelled,
      durationMs: Math.round(performance.now() - started),
      ...(scheduling ? { scheduling } : {}),
    });
    if (!tool) return outcome(false, { error: `Unknown tool "${call.name}"` });
    if (!tool.validate(args)) {
      const problems = (tool.validate.errors ?? []).map(
        (e) => `${e.instancePath || 'arguments'} ${e.message}`,
      );
      return outcome(false, {
        error: `Invalid arguments: ${problems.join('; ')}`,
      });
    }
    const controller = new AbortController();
    this.running.set(call.id, controller);
    const timeoutMs = tool.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    try {
      const stopped = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new Error(`Tool timed out after ${timeoutMs} ms`));
          controller.abort(new Error('timed out'));
        }, timeoutMs);
        controller.signal.addEventListener(
          'abort',
          () => reject(new Error('Tool call cancelled')),
          { once: true },
        );
      });
      // The handler starts now (it sees the signal before any cancellation can arrive); a synchronous
      // throw becomes a rejection like any other failure.
      const handled = new Promise<unknown>((resolve) =>
        resolve(
          tool.handler(args, { ...this.call, signal: controller.signal }),
        ),
      );
      const result = await Promise.race([handled, stopped]);
      const unserializable = jsonProblem(result);
      if (unserializable) {
        return outcome(false, {
          error: `Tool result cannot be sent to the model: ${unserializable}`,
        });
      }
      return outcome(true, { result: result ?? null });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return outcome(
        false,
        { error: message },
        controller.signal.aborted && !timedOut,
      );
    } finally {
      clearTimeout(timer);
      this.running.delete(call.id);
    }
  }

  /** Aborts the named running calls (Gemini's toolCallCancellation). */
  cancel(ids: readonly string[]): void {
    for (const id of ids) this.running.get(id)?.abort(new Error('cancelled'));
  }

  /** Aborts everything (the call ended). */
  cancelAll(): void {
    this.cancel([...this.running.keys()]);
  }
}

/**
 * Why `value` cannot travel as JSON in a `functionResponse` (a BigInt, a cycle, a throwing toJSON),
 * or undefined when it can.
 */
function jsonProblem(value: unknown): string | undefined {
  try {
    JSON.stringify(value);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
