export { TracingModule } from './tracing.module';
export { CallTracingService } from './call-tracing.service';
export { SPAN_ATTRIBUTES } from './span-attributes';
