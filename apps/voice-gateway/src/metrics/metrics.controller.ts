import { CallsService } from '@app/call-manager';
import { Controller, Get, Header, OnModuleInit } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { collectDefaultMetrics, Gauge, register } from 'prom-client';

/**
 * `GET /metrics`: Prometheus text from the default registry — process metrics, the media path's
 * (libs/media-gateway), the call lifecycle's (libs/call-manager), and live calls here.
 */
@SkipThrottle()
@Controller('metrics')
export class MetricsController implements OnModuleInit {
  constructor(private readonly calls: CallsService) {}

  onModuleInit(): void {
    if (!register.getSingleMetric('process_cpu_seconds_total'))
      collectDefaultMetrics();
    register.removeSingleMetric('voice_calls_live');
    const calls = this.calls;
    new Gauge({
      name: 'voice_calls_live',
      help: 'Live calls (every instance, when the registry is shared)',
      async collect() {
        this.set(await calls.liveCount().catch(() => Number.NaN));
      },
    });
  }

  @Get()
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
