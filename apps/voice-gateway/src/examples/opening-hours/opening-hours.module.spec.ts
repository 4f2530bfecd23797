import { AgentTool, type AgentToolOptions } from '@app/gemini-client';
import {
  DiscoveryModule,
  DiscoveryService,
  MetadataScanner,
} from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { OpeningHoursModule } from './opening-hours.module';

describe('OpeningHoursModule', () => {
  it('exposes both tools to discovery the way the core finds them', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule, OpeningHoursModule],
    }).compile();
    const discovery = moduleRef.get(DiscoveryService);
    const scanner = moduleRef.get(MetadataScanner);

    const found = new Map<
      string,
      { options: AgentToolOptions; method: string; provider: unknown }
    >();
    for (const wrapper of discovery.getProviders()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance || typeof instance !== 'object') continue;
      for (const method of scanner.getAllMethodNames(
        Object.getPrototypeOf(instance) as object,
      )) {
        const options = discovery.getMetadataByDecorator(
          AgentTool,
          wrapper,
          method,
        );
        if (options)
          found.set(options.name, {
            options,
            method,
            provider: wrapper.metatype,
          });
      }
    }

    expect([...found.keys()].sort()).toEqual(['opening_hours', 'order_status']);
    const hours = found.get('opening_hours')!;
    expect(hours.method).toBe('openingHours');
    expect(hours.options).toMatchObject({
      timeoutMs: 2000,
      parameters: {
        type: 'object',
        properties: {
          day: {
            type: 'string',
            enum: [
              'monday',
              'tuesday',
              'wednesday',
              'thursday',
              'friday',
              'saturday',
              'sunday',
              'today',
            ],
          },
        },
      },
    });
    expect(hours.options.parameters?.required).toBeUndefined();
    expect(hours.options.description).toEqual(expect.any(String));

    const orders = found.get('order_status')!;
    expect(orders.method).toBe('orderStatus');
    expect(orders.options).toMatchObject({
      timeoutMs: 3000,
      parameters: {
        type: 'object',
        properties: {
          orderId: { type: 'string', pattern: '^[A-Z0-9-]{4,20}$' },
        },
        required: ['orderId'],
      },
    });
    await moduleRef.close();
  });
});
