import type { CallEventMap, CallEventName } from '@app/call-manager';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type TracingConfig, tracingConfig } from '../config';
import type { CallSpans } from './call-spans';
import { startTraceBackend, TraceBackend } from './trace-backend';

type Listener = (...args: unknown[]) => void;

/** Longest wait for the last spans to be exported at shutdown (ms). */
const SHUTDOWN_FLUSH_TIMEOUT_MS = 5000;

/**
 * Call tracing over OpenTelemetry, on when `tracesUrl` is configured (OTEL_EXPORTER_OTLP_ENDPOINT):
 * starts the SDK, then turns call events (`call.started`, `call.ended`, `agent.turn`, `tool.called`,
 * `agent.reconnected`) into spans (CallSpans). Off, it starts nothing and listens to nothing. Its
 * listeners never run on the audio path (CallEvents dispatches on a later turn of the event loop).
 * At shutdown the spans still batched are exported (at most SHUTDOWN_FLUSH_TIMEOUT_MS).
 */
@Injectable()
export class CallTracingService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Tracing');
  private backend?: TraceBackend;
  private spans?: CallSpans;
  private readonly listeners: Array<[CallEventName, Listener]> = [];

  constructor(
    @Inject(tracingConfig.KEY) private readonly config: TracingConfig,
    private readonly emitter: EventEmitter2,
  ) {}

  /** True once the SDK is started and call events are traced. */
  get enabled(): boolean {
    return this.backend !== undefined;
  }

  /** With a traces URL: starts the SDK and listens to the call events; without one: nothing. */
  async onModuleInit(): Promise<void> {
    const url = this.config.tracesUrl;
    if (!url) return;
    this.backend = await startTraceBackend(
      { ...this.config, tracesUrl: url },
      {
        failed: (error) =>
          this.logger.warn({ msg: 'Spans could not be exported', error }),
        recovered: () => this.logger.log('Span export recovered'),
      },
    );
    // Loaded only now, with the SDK: a service with tracing off never loads OpenTelemetry at all.
    const { CallSpans: Spans } = await import('./call-spans');
    const spans = (this.spans = new Spans(this.backend.tracer));
    this.listen('call.started', (e) => spans.callStarted(e));
    this.listen('call.ended', (e) => spans.callEnded(e));
    this.listen('agent.turn', (e) => spans.turn(e));
    this.listen('tool.called', (e) => spans.toolCalled(e));
    this.listen('agent.reconnected', (e) => spans.reconnected(e));
    this.logger.log({
      msg: 'Tracing calls over OTLP',
      endpoint: safeOrigin(url),
      serviceName: this.config.serviceName,
    });
  }

  /** Stops listening, ends calls still open (marked unfinished), exports what is batched. */
  async onApplicationShutdown(): Promise<void> {
    const backend = this.backend;
    if (!backend) return;
    this.backend = undefined;
    // A call.ended emitted just before shutdown is dispatched on the next turn: let it arrive first.
    await nextTurn();
    for (const [name, listener] of this.listeners.splice(0))
      this.emitter.off(name, listener);
    this.spans?.endAll();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), SHUTDOWN_FLUSH_TIMEOUT_MS);
    });
    const outcome = await Promise.race([backend.shutdown(), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      this.logger.warn({
        msg: 'Spans not all exported at shutdown',
        timeoutMs: SHUTDOWN_FLUSH_TIMEOUT_MS,
      });
  }

  private listen<K extends CallEventName>(
    name: K,
    handle: (event: CallEventMap[K]) => void,
  ): void {
    this.emitter.on(name, handle);
    this.listeners.push([name, handle as Listener]);
  }
}

/** The endpoint's origin only (no credentials or path in the log), or a placeholder. */
function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(unparsable URL)';
  }
}
