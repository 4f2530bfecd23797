import type { CallsService } from '@app/call-manager';
import type { AgentProfiles } from '@app/gemini-client';
import {
  TwilioCallControl,
  TwilioDialError,
  TwilioOutboundDialer,
  TwilioSignatureVerifier,
  TwimlBuilder,
} from '@app/twilio';
import { Logger } from '@nestjs/common';
import type { CallSupervisor } from '../lifecycle/call-supervisor.service';
import type { MediaGatewayOptions } from '../media-gateway.options';
import { StreamTokenService } from '../stream/stream-token.service';
import { OutboundCalls } from './outbound-calls.service';

const BASE = 'https://voice.example.test';
const CALL_SID = `CA${'c'.repeat(32)}`;

describe('OutboundCalls (POST /calls)', () => {
  let slot: { claim: jest.Mock; release: jest.Mock };
  let holdSlot: jest.Mock;
  let dial: jest.Mock;
  let lifecycle: { openEarlySession: jest.Mock; end: jest.Mock };
  let adoptOutbound: jest.Mock;
  let hangUp: jest.Mock;
  let tokens: StreamTokenService;
  let outbound: OutboundCalls;
  let disabledReason: string | undefined;

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation();
    jest.spyOn(Logger.prototype, 'error').mockImplementation();
    slot = {
      claim: jest.fn().mockResolvedValue('reserved'),
      release: jest.fn().mockResolvedValue(undefined),
    };
    holdSlot = jest.fn().mockResolvedValue(slot);
    dial = jest.fn().mockResolvedValue({ callSid: CALL_SID, status: 'queued' });
    lifecycle = {
      openEarlySession: jest.fn(),
      end: jest.fn().mockResolvedValue(undefined),
    };
    adoptOutbound = jest.fn().mockReturnValue(lifecycle);
    hangUp = jest.fn().mockResolvedValue(undefined);
    disabledReason = undefined;
    const options: MediaGatewayOptions = {
      authToken: 'token',
      maxCallDurationMs: 1,
      idleTimeoutMs: 1,
      streamTokenTtlMs: 30_000,
      streamStartTimeoutMs: 1,
      outbound: { callerId: '+15005550006', ringTimeoutSeconds: 30 },
    };
    tokens = new StreamTokenService(options);
    const twilioOptions = { webhookBaseUrl: BASE, authToken: 'token' };
    outbound = new OutboundCalls(
      { holdSlot } as unknown as CallsService,
      {
        byName: (name?: string) =>
          name === undefined || name === 'sales'
            ? { name: name ?? 'default' }
            : undefined,
        names: ['default', 'sales'],
      } as unknown as AgentProfiles,
      { adoptOutbound } as unknown as CallSupervisor,
      tokens,
      new TwimlBuilder(),
      new TwilioSignatureVerifier(twilioOptions),
      {
        get disabledReason() {
          return disabledReason;
        },
        dial,
      } as unknown as TwilioOutboundDialer,
      { hangUp } as unknown as TwilioCallControl,
      twilioOptions,
      options,
    );
  });

  afterEach(() => jest.restoreAllMocks());

  it('places the call with the stream TwiML, then reserves it in the slot and opens its session', async () => {
    await expect(
      outbound.dial({ to: '+15550001234', profile: 'sales' }),
    ).resolves.toEqual({ callSid: CALL_SID });
    expect(holdSlot).toHaveBeenCalledWith({
      from: '+15005550006',
      to: '+15550001234',
      direction: 'outbound',
    });
    const [[request]] = dial.mock.calls as Array<
      [Record<string, string | number>]
    >;
    expect(request).toMatchObject({
      to: '+15550001234',
      from: '+15005550006',
      statusCallback: `${BASE}/call-status`,
      amdStatusCallback: `${BASE}/amd-status`,
      ringTimeoutSeconds: 30,
    });
    const twiml = String(request.twiml);
    expect(twiml).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?><Response><Connect><Stream url="wss:\/\/voice\.example\.test\/media-stream">/,
    );
    const parameters = Object.fromEntries(
      [...twiml.matchAll(/<Parameter name="(\w+)" value="([^"]*)"\/>/g)].map(
        ([, name, value]) => [name, value],
      ),
    );
    expect(parameters).toMatchObject({
      from: '+15005550006',
      to: '+15550001234',
      profile: 'sales',
    });
    expect(Object.keys(parameters).sort()).toEqual(
      ['dialId', 'from', 'profile', 'to', 'token'].sort(),
    );
    // The token is bound to the dial, not to any CallSid.
    expect(tokens.consume(parameters.token, CALL_SID)).toBe(false);
    expect(tokens.consume(parameters.token, CALL_SID, parameters.dialId)).toBe(
      true,
    );
    expect(adoptOutbound).toHaveBeenCalledWith({
      callSid: CALL_SID,
      from: '+15005550006',
      to: '+15550001234',
      dialId: parameters.dialId,
      profile: 'sales',
    });
    expect(slot.claim).toHaveBeenCalledWith(
      expect.objectContaining({ callSid: CALL_SID, direction: 'outbound' }),
      lifecycle,
    );
    expect(lifecycle.openEarlySession).toHaveBeenCalled();
  });

  it('answers 400 for an unknown profile and 503 when it cannot dial, holding no slot', async () => {
    await expect(
      outbound.dial({ to: '+15550001234', profile: 'nope' }),
    ).rejects.toMatchObject({ status: 400 });
    disabledReason = 'Outbound calls are disabled: set TWILIO_ACCOUNT_SID';
    await expect(outbound.dial({ to: '+15550001234' })).rejects.toMatchObject({
      status: 503,
      message: disabledReason,
    });
    expect(holdSlot).not.toHaveBeenCalled();
  });

  it('at capacity: 503, and Twilio is never asked', async () => {
    holdSlot.mockResolvedValue('at-capacity');
    await expect(outbound.dial({ to: '+15550001234' })).rejects.toMatchObject({
      status: 503,
      message:
        'At capacity: MAX_CONCURRENT_CALLS calls are live; try again later',
    });
    expect(dial).not.toHaveBeenCalled();
  });

  it.each([
    ['refused', 400],
    ['unauthorized', 502],
    ['unreachable', 502],
    ['rate-limited', 503],
  ] as const)(
    'Twilio %s: %i with its reason, the slot given back',
    async (failure, status) => {
      dial.mockRejectedValue(new TwilioDialError(failure, `why: ${failure}`));
      await expect(outbound.dial({ to: '+15550001234' })).rejects.toMatchObject(
        {
          status,
          message: `why: ${failure}`,
        },
      );
      expect(slot.release).toHaveBeenCalledTimes(1);
      expect(adoptOutbound).not.toHaveBeenCalled();
    },
  );

  it('a placed call that cannot be reserved is ended and hung up at Twilio', async () => {
    slot.claim.mockRejectedValue(new Error('store down'));
    await expect(outbound.dial({ to: '+15550001234' })).rejects.toMatchObject({
      status: 503,
    });
    expect(lifecycle.end).toHaveBeenCalledWith('error');
    expect(hangUp).toHaveBeenCalledWith(CALL_SID);
    expect(lifecycle.openEarlySession).not.toHaveBeenCalled();
  });
});
