export type OrderState =
  'processing' | 'dispatched' | 'delivered' | 'cancelled';

export interface OrderRecord {
  /** Upper case letters, digits and dashes, 4-20 characters (the tool's argument pattern). */
  orderId: string;
  status: OrderState;
  /** `YYYY-MM-DD` */
  placedOn: string;
  /** `YYYY-MM-DD`, while the order is on its way. */
  expectedDelivery?: string;
  /** Something the agent may tell the caller. */
  note?: string;
}

/** The example's order book. Replace it with your own data, or replace OrdersRepository. */
export const ORDERS: readonly OrderRecord[] = [
  {
    orderId: 'A-1001',
    status: 'processing',
    placedOn: '2025-06-02',
    expectedDelivery: '2025-06-09',
  },
  {
    orderId: 'A-1002',
    status: 'dispatched',
    placedOn: '2025-05-30',
    expectedDelivery: '2025-06-04',
    note: 'Sent by tracked courier',
  },
  { orderId: 'A-1003', status: 'delivered', placedOn: '2025-05-20' },
  {
    orderId: 'B-2001',
    status: 'cancelled',
    placedOn: '2025-05-28',
    note: 'Refunded to the original card',
  },
];
