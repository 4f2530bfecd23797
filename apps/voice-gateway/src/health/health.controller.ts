import { Controller, Get, Res } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { scrubValue } from '../logging/secret-scrubber';
import { HealthReport, HealthService } from './health.service';

/** The report without credentials: details quote backend errors (a database URL, an upstream reply). */
async function scrubbed(report: Promise<HealthReport>): Promise<HealthReport> {
  return scrubValue(await report) as HealthReport;
}

/**
 * `GET /health`: everything, always 200 while the process serves (status "degraded" names what is
 * failing). `GET /health/live`: liveness for an orchestrator. `GET /health/ready`: 503 unless this
 * instance can take a call now — a load balancer should only route webhooks to ready instances.
 */
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  check(): Promise<HealthReport> {
    return scrubbed(this.health.report());
  }

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(
    @Res({ passthrough: true }) res: Response,
  ): Promise<HealthReport> {
    const report = await scrubbed(this.health.report());
    if (!report.ready) res.status(503);
    return report;
  }
}
