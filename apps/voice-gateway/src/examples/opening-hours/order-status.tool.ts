import { AgentTool, type ToolCallContext } from '@app/gemini-client';
import { Injectable } from '@nestjs/common';
import { abortable } from './abortable.util';
import type { OrderState } from './orders.data';
import { OrdersRepository } from './orders.repository';

export interface OrderStatusArgs {
  orderId: string;
}

export type OrderStatusAnswer =
  | { found: false }
  | {
      found: true;
      orderId: string;
      status: OrderState;
      placedOn: string;
      expectedDelivery?: string;
      note?: string;
    };

const ORDER_ID_PATTERN = '^[A-Z0-9-]{4,20}$';
const ORDER_ID = new RegExp(ORDER_ID_PATTERN);

/** Looks up an order by its number. */
@Injectable()
export class OrderStatusTool {
  constructor(private readonly orders: OrdersRepository) {}

  @AgentTool({
    name: 'order_status',
    description:
      'Status of a customer order by its order number (for example "A-1002"). Ask the caller for ' +
      'the number first, and read it back to confirm it, in upper case letters, digits and dashes.',
    parameters: {
      type: 'object',
      properties: {
        orderId: {
          type: 'string',
          pattern: ORDER_ID_PATTERN,
          description: 'The order number, upper case, e.g. "A-1002".',
        },
      },
      required: ['orderId'],
    },
    timeoutMs: 3000,
  })
  async orderStatus(
    args: OrderStatusArgs,
    context: ToolCallContext,
  ): Promise<OrderStatusAnswer> {
    context.signal.throwIfAborted();
    // The core validates arguments against the schema; this guards direct callers too.
    if (typeof args.orderId !== 'string' || !ORDER_ID.test(args.orderId)) {
      return { found: false };
    }
    const order = await abortable(
      this.orders.findById(args.orderId),
      context.signal,
    );
    if (!order) return { found: false };
    // Only what the caller may hear: pick fields rather than spreading the record.
    return {
      found: true,
      orderId: order.orderId,
      status: order.status,
      placedOn: order.placedOn,
      ...(order.expectedDelivery
        ? { expectedDelivery: order.expectedDelivery }
        : {}),
      ...(order.note ? { note: order.note } : {}),
    };
  }
}
