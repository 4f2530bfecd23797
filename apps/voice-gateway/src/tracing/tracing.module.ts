import { Module } from '@nestjs/common';
import { CallTracingService } from './call-tracing.service';

/**
 * OpenTelemetry call tracing (README, Observability). Needs ConfigModule with `tracingConfig` loaded
 * and EventEmitterModule in the app; does nothing unless OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set.
 */
@Module({
  providers: [CallTracingService],
  exports: [CallTracingService],
})
export class TracingModule {}
