import { Injectable } from '@nestjs/common';
import { ORDERS, type OrderRecord } from './orders.data';

/** The data edge for orders: the bundled constant here; a database or an order API in real life. */
@Injectable()
export class OrdersRepository {
  private readonly byId = new Map(ORDERS.map((o) => [o.orderId, o]));

  findById(orderId: string): Promise<OrderRecord | undefined> {
    return Promise.resolve(this.byId.get(orderId));
  }
}
