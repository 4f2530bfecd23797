import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  AdminGuard,
  CALL_REGISTRY,
  CALL_STORE,
  CallManagerModule,
  CallsService,
  Clock,
  InMemoryCallRegistry,
  InMemoryCallStore,
  type CallRegistry,
} from './index';

const SETTINGS = 'SETTINGS';

@Module({
  providers: [{ provide: SETTINGS, useValue: { max: 1, key: 'k' } }],
  exports: [SETTINGS],
})
class SettingsModule {}

@Injectable()
class Consumer {
  constructor(
    readonly calls: CallsService,
    readonly clock: Clock,
    readonly guard: AdminGuard,
    @Inject(CALL_REGISTRY) readonly registry: CallRegistry,
  ) {}
}

describe('CallManagerModule', () => {
  it('wires the service to the in-memory backends with injected options', async () => {
    const manager = CallManagerModule.forRootAsync({
      imports: [SettingsModule],
      inject: [SETTINGS],
      useFactory: (s: { max: number; key: string }) => ({
        adminApiKey: s.key,
        maxConcurrentCalls: s.max,
      }),
    });
    @Module({ imports: [manager], providers: [Consumer] })
    class ConsumerModule {}

    const moduleRef = await Test.createTestingModule({
      imports: [ConsumerModule],
    }).compile();
    const consumer = moduleRef.get(Consumer);
    expect(consumer.registry).toBeInstanceOf(InMemoryCallRegistry);
    expect(moduleRef.get(CALL_STORE)).toBeInstanceOf(InMemoryCallStore);
    expect(consumer.guard).toBeInstanceOf(AdminGuard);

    const call = { callSid: `CA${'a'.repeat(32)}`, from: '+1', to: '+2' };
    await expect(consumer.calls.reserve(call)).resolves.toBe('reserved');
    await expect(
      consumer.calls.reserve({ ...call, callSid: `CA${'b'.repeat(32)}` }),
    ).resolves.toBe('at-capacity');
    await expect(consumer.registry.count()).resolves.toBe(1);
    await moduleRef.close();
  });

  it('lets tests replace the clock', async () => {
    const fixed = new Date('2030-01-01T00:00:00.000Z');
    const moduleRef = await Test.createTestingModule({
      imports: [
        CallManagerModule.forRootAsync({
          useFactory: () => ({ maxConcurrentCalls: 1 }),
        }),
      ],
    })
      .overrideProvider(Clock)
      .useValue({ now: () => fixed })
      .compile();
    const calls = moduleRef.get(CallsService);
    const callSid = `CA${'c'.repeat(32)}`;
    await calls.reserve({ callSid, from: '+1', to: '+2' });
    await expect(calls.get(callSid)).resolves.toMatchObject({
      startedAt: fixed.toISOString(),
    });
    await moduleRef.close();
  });

  it.each([-1, 1.5, NaN, undefined])(
    'refuses maxConcurrentCalls %p at boot',
    async (max) => {
      await expect(
        Test.createTestingModule({
          imports: [
            CallManagerModule.forRootAsync({
              useFactory: () => ({ maxConcurrentCalls: max as number }),
            }),
          ],
        }).compile(),
      ).rejects.toThrow(/maxConcurrentCalls must be a whole number/);
    },
  );
});
