import type { CallEventMap } from '@app/call-manager';
import { Logger, Module } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import {
  CallSummaryModule,
  resolveCallSummaryOptions,
} from './call-summary.module';
import { CallSummaryNotifier } from './call-summary.notifier';
import { verifySummarySignature } from './summary-signature.util';
import { WebhookReceiver } from './webhook-receiver.fixture';
import { WebhookSender } from './webhook-sender.service';

const SECRET = 'module-secret';
const EVENT: CallEventMap['call.ended'] = {
  callSid: `CA${'b'.repeat(32)}`,
  reason: 'agent-closed',
  durationSeconds: 42,
};

const WEBHOOK_SETTINGS = 'WEBHOOK_SETTINGS';

describe('CallSummaryModule', () => {
  let receiver: WebhookReceiver | undefined;

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await receiver?.close();
    receiver = undefined;
  });

  it('delivers call.ended events published on the EventEmitter2 (the @OnEvent wiring)', async () => {
    receiver = await WebhookReceiver.start();
    const url = receiver.url;
    @Module({
      providers: [
        { provide: WEBHOOK_SETTINGS, useValue: { url, secret: SECRET } },
      ],
      exports: [WEBHOOK_SETTINGS],
    })
    class SettingsModule {}

    const moduleRef = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        CallSummaryModule.forRootAsync({
          imports: [SettingsModule],
          inject: [WEBHOOK_SETTINGS],
          useFactory: (s: { url: string; secret: string }) => ({
            ...s,
            backoffMs: 1,
          }),
        }),
      ],
    }).compile();
    await moduleRef.init(); // listeners are attached at application bootstrap

    await moduleRef.get(EventEmitter2).emitAsync('call.ended', EVENT);
    const [request] = await receiver.waitForRequests(1);

    expect(request.headers['x-call-sid']).toBe(EVENT.callSid);
    expect(
      verifySummarySignature(
        request.body,
        request.headers['x-signature-256'],
        SECRET,
      ),
    ).toBe(true);
    expect(JSON.parse(request.body)).toMatchObject({
      event: 'call.ended',
      callSid: EVENT.callSid,
      endReason: 'agent-closed',
    });
    await moduleRef.close();
  });

  it('is inert without a url: the listener is wired but sends nothing', async () => {
    const post = jest.fn();
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        CallSummaryModule.forRootAsync({ useFactory: () => ({}) }),
      ],
    })
      .overrideProvider(WebhookSender)
      .useValue({ post })
      .compile();
    await moduleRef.init();

    await moduleRef.get(EventEmitter2).emitAsync('call.ended', EVENT);
    await expect(
      moduleRef.get(CallSummaryNotifier).onCallEnded(EVENT),
    ).resolves.toEqual({ outcome: 'disabled' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(post).not.toHaveBeenCalled();
    await moduleRef.close();
  });

  it('fails at boot naming every bad option', async () => {
    const compile = Test.createTestingModule({
      imports: [
        CallSummaryModule.forRootAsync({
          useFactory: () => ({
            url: 'ftp://example.test/x',
            maxAttempts: 0,
            timeoutMs: -1,
          }),
        }),
      ],
    }).compile();
    await expect(compile).rejects.toThrow(
      'CallSummaryModule: url must be http or https; secret is required when url is set; ' +
        'maxAttempts must be a whole number from 1 to 10 (got 0); timeoutMs must be > 0 (got -1)',
    );
  });

  it('fills in the defaults', () => {
    expect(
      resolveCallSummaryOptions({
        url: 'https://hooks.example.test/calls',
        secret: 's',
      }),
    ).toEqual({
      enabled: true,
      url: 'https://hooks.example.test/calls',
      secret: 's',
      maxAttempts: 4,
      backoffMs: 500,
      timeoutMs: 5000,
    });
    expect(resolveCallSummaryOptions({ secret: 's' })).toEqual({
      enabled: false,
    });
  });
});
