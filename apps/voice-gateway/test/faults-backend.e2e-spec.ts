import { parseTwiml, TwilioCallSimulator } from '@app/simulators';
import {
  CallHarness,
  callTimings,
  eventually,
  startCallHarness,
} from './support/call-harness';
import {
  expectAudioBothWays,
  expectServing,
  LiveCall,
  liveCallSids,
  placeLiveCall,
  sessionAfter,
  within,
} from './support/fault-calls';
import { FaultyBackends, faultyBackends } from './support/faulty-backends';

/** Long enough for a backend step that hangs to be given up on (the service's own step timeout). */
const GONE_WITHIN_MS = 15000;
const TEST_TIMEOUT_MS = 40000;

/**
 * Store and registry faults during one call's life: that call ends and leaves nothing behind (not
 * live, its slot free, its Gemini session closed). A neighbour call on the same app is never
 * disturbed. Each test gets its own app, with the in-memory store and registry behind switches.
 */
describe('Store and registry faults in one call (real app, emulator, simulated Twilio)', () => {
  let h: CallHarness;
  let faults: FaultyBackends;
  let calls: TwilioCallSimulator[];

  beforeEach(async () => {
    faults = faultyBackends();
    calls = [];
    // Two slots: the neighbour's, and the faulty call's (then a new call's, once it is free).
    h = await startCallHarness({ MAX_CONCURRENT_CALLS: '2' }, {}, undefined, [
      ...faults.overrides,
      callTimings({ streamTokenTtlMs: 400, endStepTimeoutMs: 300 }),
    ]);
  });

  afterEach(async () => {
    faults.restore();
    await Promise.all(calls.map((call) => call.hangUp()));
    await h.close();
  });

  async function liveCall(): Promise<LiveCall> {
    const live = await placeLiveCall(h);
    calls.push(live.call);
    return live;
  }

  /** A call whose webhook is answered (its Gemini session opens early) but whose stream never connects. */
  async function ringingCall(): Promise<LiveCall> {
    const before = h.emulator.sessions.length;
    const call = h.call();
    const res = await call.postForm(
      '/incoming-call',
      call.callParams('ringing'),
    );
    expect(parseTwiml(res.body).stream).toBeDefined();
    return { call, session: await sessionAfter(h, before) };
  }

  /** The faulty call ended and left nothing behind: its Gemini session is closed and it is not live. */
  async function expectGone({ call, session }: LiveCall): Promise<void> {
    await eventually(() => !session.isOpen, GONE_WITHIN_MS, 50);
    await eventually(
      async () => !(await liveCallSids(h)).includes(call.callSid),
      GONE_WITHIN_MS,
      50,
    );
  }

  /** Its slot is free: with the neighbour holding the other, a new call is answered with a stream. */
  async function expectSlotFree(): Promise<void> {
    const next = h.call();
    calls.push(next);
    const placed = await next.placeCall();
    expect(placed).toMatchObject({ status: 200, stream: true });
  }

  /** The app serves, and the neighbour is live with its audio flowing both ways. */
  async function expectUntouched(neighbour: LiveCall): Promise<void> {
    await expectServing(h);
    expect(await liveCallSids(h)).toContain(neighbour.call.callSid);
    await expectAudioBothWays(neighbour, 660);
  }

  async function recordStatus(callSid: string): Promise<string | undefined> {
    const res = await h.admin(`/calls/${callSid}`);
    return ((await res.json()) as { status?: string }).status;
  }

  it.each(['reject', 'hang'] as const)(
    'store: every method %ss while a reservation expires (the stream never connects)',
    async (mode) => {
      const neighbour = await liveCall();
      const faulty = await ringingCall();
      faults.store[mode]();
      await expectGone(faulty);
      expect(faults.store.hits()).toBeGreaterThan(0);
      faults.store.heal();
      await expectSlotFree();
      await expectUntouched(neighbour);
    },
    TEST_TIMEOUT_MS,
  );

  it.each(['reject', 'hang'] as const)(
    'store: every method %ss while the call finishes (the caller hangs up)',
    async (mode) => {
      const neighbour = await liveCall();
      const faulty = await liveCall();
      faults.store[mode]();
      await faulty.call.hangUp();
      await expectGone(faulty);
      expect(faults.store.hits()).toBeGreaterThan(0);
      faults.store.heal();
      await expectSlotFree();
      await expectUntouched(neighbour);
    },
    TEST_TIMEOUT_MS,
  );

  it.each(['reject', 'hang'] as const)(
    'store: get %ss for the whole call; it still ends and its final record is written',
    async (mode) => {
      const neighbour = await liveCall();
      faults.store[mode]('get');
      const faulty = await liveCall();
      await faulty.call.hangUp();
      await expectGone(faulty);
      expect(faults.store.hits('get')).toBeGreaterThan(0);
      faults.store.heal();
      // Only reads failed: nothing stopped the final record from being written.
      await eventually(
        async () =>
          ['completed', 'failed'].includes(
            (await recordStatus(faulty.call.callSid)) ?? '',
          ),
        GONE_WITHIN_MS,
        100,
      );
      await expectSlotFree();
      await expectUntouched(neighbour);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'registry: the stream claim rejects when start arrives; the stream is closed with a code and reason',
    async () => {
      const neighbour = await liveCall();
      faults.registry.reject('claimStream');
      const before = h.emulator.sessions.length;
      const call = h.call();
      calls.push(call);
      expect((await call.placeCall()).stream).toBe(true);
      const session = await sessionAfter(h, before);
      const closed = await within(call.closed, GONE_WITHIN_MS, 'stream closed');
      expect(faults.registry.hits('claimStream')).toBeGreaterThan(0);
      // A close frame from the service (not 1005 "no status", not 1006 "dropped") with its reason.
      expect(closed.code).toBeGreaterThanOrEqual(1000);
      expect([1005, 1006]).not.toContain(closed.code);
      expect(closed.reason).toMatch(/\S/);
      await expectGone({ call, session });
      faults.registry.heal();
      await expectSlotFree();
      await expectUntouched(neighbour);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'registry: releasing the slot rejects once when the call ends; the release is retried',
    async () => {
      const neighbour = await liveCall();
      const faulty = await liveCall();
      faults.registry.rejectOnce('remove');
      await faulty.call.hangUp();
      await expectGone(faulty);
      expect(faults.registry.hits('remove')).toBe(1);
      await expectSlotFree();
      await expectUntouched(neighbour);
    },
    TEST_TIMEOUT_MS,
  );
});
