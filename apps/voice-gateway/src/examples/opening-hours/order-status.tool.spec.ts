import type { ToolCallContext } from '@app/gemini-client';
import type { OrderRecord } from './orders.data';
import { OrdersRepository } from './orders.repository';
import { OrderStatusTool } from './order-status.tool';

function context(signal = new AbortController().signal): ToolCallContext {
  return {
    callSid: `CA${'0'.repeat(32)}`,
    from: '+447700900001',
    to: '+447700900002',
    signal,
  };
}

class FakeOrders extends OrdersRepository {
  constructor(
    private readonly find: (id: string) => Promise<OrderRecord | undefined>,
  ) {
    super();
  }
  override findById(orderId: string): Promise<OrderRecord | undefined> {
    return this.find(orderId);
  }
}

describe('OrderStatusTool.orderStatus', () => {
  const tool = new OrderStatusTool(new OrdersRepository());

  it('answers a known order from the bundled data with the fields a caller may hear', async () => {
    await expect(
      tool.orderStatus({ orderId: 'A-1002' }, context()),
    ).resolves.toEqual({
      found: true,
      orderId: 'A-1002',
      status: 'dispatched',
      placedOn: '2025-05-30',
      expectedDelivery: '2025-06-04',
      note: 'Sent by tracked courier',
    });
    await expect(
      tool.orderStatus({ orderId: 'A-1003' }, context()),
    ).resolves.toEqual({
      found: true,
      orderId: 'A-1003',
      status: 'delivered',
      placedOn: '2025-05-20',
    });
  });

  it('answers { found: false } for an unknown or malformed order number', async () => {
    await expect(
      tool.orderStatus({ orderId: 'Z-9999' }, context()),
    ).resolves.toEqual({ found: false });
    await expect(
      tool.orderStatus({ orderId: 'a-1002' }, context()),
    ).resolves.toEqual({ found: false });
  });

  it('answers from swapped-in data', async () => {
    const fake = new OrderStatusTool(
      new FakeOrders((id) =>
        Promise.resolve(
          id === 'TEST-1'
            ? {
                orderId: 'TEST-1',
                status: 'processing',
                placedOn: '2025-01-01',
              }
            : undefined,
        ),
      ),
    );
    await expect(
      fake.orderStatus({ orderId: 'TEST-1' }, context()),
    ).resolves.toEqual({
      found: true,
      orderId: 'TEST-1',
      status: 'processing',
      placedOn: '2025-01-01',
    });
  });

  it('rejects when the call is aborted, before or during the lookup', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      tool.orderStatus({ orderId: 'A-1002' }, context(controller.signal)),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
    const hanging = new OrderStatusTool(
      new FakeOrders(() => new Promise(() => undefined)),
    );
    await expect(
      hanging.orderStatus(
        { orderId: 'A-1002' },
        context(AbortSignal.timeout(20)),
      ),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
