import { Module } from '@nestjs/common';
import { ExampleClock } from './example-clock.service';
import { OpeningHoursRepository } from './opening-hours.repository';
import { OpeningHoursTool } from './opening-hours.tool';
import { OrderStatusTool } from './order-status.tool';
import { OrdersRepository } from './orders.repository';

/**
 * Example agent tools: `opening_hours` and `order_status`. Importing the module is all it takes: the
 * core finds `@AgentTool` methods on any provider at bootstrap. Nothing needs exporting.
 */
@Module({
  providers: [
    ExampleClock,
    OpeningHoursRepository,
    OrdersRepository,
    OpeningHoursTool,
    OrderStatusTool,
  ],
})
export class OpeningHoursModule {}
