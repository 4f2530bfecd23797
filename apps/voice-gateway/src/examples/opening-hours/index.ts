export { OpeningHoursModule } from './opening-hours.module';
export { OpeningHoursTool } from './opening-hours.tool';
export type {
  OpeningHoursAnswer,
  OpeningHoursArgs,
} from './opening-hours.tool';
export { OrderStatusTool } from './order-status.tool';
export type { OrderStatusAnswer, OrderStatusArgs } from './order-status.tool';
export { OpeningHoursRepository } from './opening-hours.repository';
export { OrdersRepository } from './orders.repository';
export { ExampleClock } from './example-clock.service';
export type { OpeningSpan, ShopHours, SpecialDay } from './opening-hours.data';
export type { OrderRecord, OrderState } from './orders.data';
