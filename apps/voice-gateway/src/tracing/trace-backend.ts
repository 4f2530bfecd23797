import type { Tracer } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from '../config';

/** The instrumentation scope named on every span. */
export const TRACER_NAME = 'voice-gateway';

/** A started OpenTelemetry SDK: its tracer, and how to flush and stop it. */
export interface TraceBackend {
  tracer: Tracer;
  /** Exports what is batched and stops the SDK; resolves when done (or failed: never rejects). */
  shutdown(): Promise<void>;
}

/** What the backend tells about exports: the first failure of a run, and the recovery after it. */
export interface ExportReporter {
  failed(error: string): void;
  recovered(): void;
}

/**
 * Starts the OpenTelemetry trace SDK for `config.tracesUrl`: a BasicTracerProvider (not registered
 * globally: only CallSpans uses it), a BatchSpanProcessor (its OTEL_BSP_* variables apply: default
 * 5000 ms between exports) and the OTLP/HTTP exporter (JSON; OTEL_EXPORTER_OTLP_HEADERS, timeout and
 * compression variables apply). The resource carries `service.name` (OTEL_SERVICE_NAME), the SDK's
 * defaults and OTEL_RESOURCE_ATTRIBUTES. The SDK packages are loaded here, on first use, so a service
 * with tracing off never loads them.
 */
export async function startTraceBackend(
  config: TracingConfig & { tracesUrl: string },
  reporter: ExportReporter,
): Promise<TraceBackend> {
  const [sdk, otlp, resources, semconv] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const resource = resources
    .defaultResource()
    .merge(resources.detectResources({ detectors: [resources.envDetector] }))
    .merge(
      resources.resourceFromAttributes({
        [semconv.ATTR_SERVICE_NAME]: config.serviceName,
      }),
    );
  const exporter = new ReportingExporter(
    new otlp.OTLPTraceExporter({ url: config.tracesUrl }),
    reporter,
  );
  const provider = new sdk.BasicTracerProvider({
    resource,
    spanProcessors: [new sdk.BatchSpanProcessor(exporter)],
  });
  return {
    tracer: provider.getTracer(TRACER_NAME),
    shutdown: () => provider.shutdown().catch(() => undefined),
  };
}

/** An exporter that reports failed exports (once per outage) and recoveries to `reporter`. */
class ReportingExporter implements SpanExporter {
  private failing = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly reporter: ExportReporter,
  ) {}

  export(
    spans: ReadableSpan[],
    done: Parameters<SpanExporter['export']>[1],
  ): void {
    this.inner.export(spans, (result) => {
      // ExportResultCode.SUCCESS is 0 (@opentelemetry/core, not a direct dependency).
      const ok = (result.code as number) === 0;
      if (!ok && !this.failing) {
        this.failing = true;
        this.reporter.failed(result.error?.message ?? 'export failed');
      } else if (ok && this.failing) {
        this.failing = false;
        this.reporter.recovered();
      }
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
