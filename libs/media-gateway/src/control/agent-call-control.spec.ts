import type { CallEndReason, CallTransfer } from '@app/call-manager';
import type { CallBridge } from '../bridge/call-bridge';
import { CallLog } from '../bridge/call-log';
import { CallFaultBoundary } from '../lifecycle/call-fault-boundary';
import { CallTimers } from '../lifecycle/call-timers';
import { AgentCallControl, CallControlPlan } from './agent-call-control';

/** A call as AgentCallControl sees it, with a bridge whose playout the test decides. */
function harness(plan?: Partial<CallControlPlan>) {
  const log = new CallLog('test', { callSid: 'CA1' });
  const faults: unknown[] = [];
  const boundary = new CallFaultBoundary(log, () => faults.push('fault'));
  const timers = new CallTimers(boundary);
  const state = { playedOut: false, state: 'live', hasBridge: true };
  const ended: CallEndReason[] = [];
  const told: string[] = [];
  const notes: string[] = [];
  const records: CallTransfer[][] = [];
  const redirect = jest.fn((_to: string, _summary: string) =>
    Promise.resolve(),
  );
  const hangUp = jest.fn(() => Promise.resolve());
  const bridge = {
    playedOut: jest.fn(() => state.playedOut),
  } as unknown as CallBridge;
  const control = new AgentCallControl(
    {
      targets: { sales: '+14155550123', desk: 'sip:desk@pbx.example.com' },
      ringSeconds: 20,
      redirect,
      hangUp,
      ...plan,
    },
    {
      callSid: 'CA1',
      boundary,
      timers,
      log: () => log,
      bridge: () => (state.hasBridge ? bridge : undefined),
      note: (text) => notes.push(text),
      tellAgent: (text) => told.push(text),
      recordTransfers: (list) => {
        records.push(list);
        return Promise.resolve();
      },
      end: (reason) => {
        ended.push(reason);
        state.state = 'ending';
        return Promise.resolve();
      },
      beginTransfer: () => {
        if (state.state !== 'live') return false;
        state.state = 'transferring';
        return true;
      },
      cancelTransfer: () => {
        if (state.state !== 'transferring') return false;
        state.state = 'live';
        return true;
      },
    },
  );
  return {
    control,
    state,
    ended,
    told,
    notes,
    records,
    redirect,
    hangUp,
    timers,
    faults,
  };
}

describe('AgentCallControl', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('end_call waits until the agent has played out, then ends agent-hangup', async () => {
    const t = harness();
    expect(t.control.hangUp()).toMatch(/ends as soon as your last words/);
    await jest.advanceTimersByTimeAsync(3000);
    expect(t.ended).toEqual([]);
    t.state.playedOut = true;
    await jest.advanceTimersByTimeAsync(100);
    expect(t.ended).toEqual(['agent-hangup']);
    expect(t.timers.size).toBe(0);
  });

  it('never waits on the playout for more than 15 s', async () => {
    const t = harness();
    t.control.hangUp();
    await jest.advanceTimersByTimeAsync(14_900);
    expect(t.ended).toEqual([]);
    await jest.advanceTimersByTimeAsync(200);
    expect(t.ended).toEqual(['agent-hangup']);
  });

  it('refuses a second hang-up or transfer while one is under way, and any without a stream', () => {
    const t = harness();
    t.control.hangUp();
    expect(() => t.control.hangUp()).toThrow('The call is already ending');
    expect(() => t.control.transfer('sales', 'r', 's')).toThrow(
      'already ending',
    );
    const u = harness();
    u.state.hasBridge = false;
    expect(() => u.control.hangUp()).toThrow('no live stream');
  });

  it.each([
    'ceo',
    '__proto__',
    'toString',
    'hasOwnProperty',
    '+14155550123',
    '',
  ])(
    'refuses target %j (not a name in the profile) and dials nothing',
    async (target) => {
      const t = harness();
      expect(() => t.control.transfer(target, 'r', 's')).toThrow(
        'choose one of sales, desk',
      );
      t.state.playedOut = true;
      await jest.advanceTimersByTimeAsync(1000);
      expect(t.redirect).not.toHaveBeenCalled();
      expect(t.state.state).toBe('live');
    },
  );

  it('refuses transfers when the deployment cannot make them, saying why', () => {
    const t = harness({ transferUnavailable: 'no REST credentials' });
    expect(() => t.control.transfer('sales', 'r', 's')).toThrow(
      'Transfers are unavailable: no REST credentials',
    );
    expect(() =>
      harness({ targets: undefined }).control.transfer('sales', 'r', 's'),
    ).toThrow('This line has no transfer targets');
  });

  it('transfers after the playout: redirect with the clipped summary, recorded dialing, then answered', async () => {
    const t = harness();
    t.control.transfer('desk', 'printer', `  ${'x'.repeat(600)}  `);
    t.state.playedOut = true;
    await jest.advanceTimersByTimeAsync(100);
    expect(t.redirect).toHaveBeenCalledWith(
      'sip:desk@pbx.example.com',
      'x'.repeat(500),
    );
    expect(t.state.state).toBe('transferring');
    expect(t.records.at(-1)).toEqual([
      expect.objectContaining({ target: 'desk', state: 'dialing' }),
    ]);
    t.control.answered();
    expect(t.ended).toEqual(['transferred']);
    expect(t.records.at(-1)).toEqual([
      expect.objectContaining({ state: 'answered' }),
    ]);
    // A late dial end for the answered transfer changes nothing here.
    expect(t.control.dialEnded('completed')).toBe(false);
  });

  it.each([
    ['busy', 'the line was busy'],
    ['no-answer', 'nobody answered'],
    ['failed', 'the call could not be placed'],
    ['canceled', 'the call was canceled'],
  ])(
    'a dial ending %s brings the caller back with the reason for the agent',
    async (status, why) => {
      const t = harness();
      t.control.transfer('sales', 'quote', 'summary');
      t.state.playedOut = true;
      await jest.advanceTimersByTimeAsync(100);
      expect(t.control.dialEnded(status)).toBe(true);
      // A retried dial action while the caller is on the way back: still coming back.
      expect(t.control.dialEnded(status)).toBe(false);
      expect(t.control.awaitingReturn).toBe(true);
      expect(t.control.takeReturnNote()).toContain(
        `The transfer to sales did not go through: ${why}.`,
      );
      expect(t.control.takeReturnNote()).toBeUndefined();
      expect(t.control.awaitingReturn).toBe(false);
      expect(t.records.at(-1)).toEqual([
        expect.objectContaining({ state: 'not-answered', dialStatus: status }),
      ]);
      expect(t.notes.at(-1)).toBe(
        `transfer to sales: not-answered (${status})`,
      );
      // The guard timer is gone; another transfer may follow.
      await jest.advanceTimersByTimeAsync(200_000);
      expect(t.ended).toEqual([]);
    },
  );

  it('a call that ends while its transfer rings records the transfer not answered, saying why', async () => {
    const t = harness();
    t.control.transfer('sales', 'quote', 'summary');
    t.state.playedOut = true;
    await jest.advanceTimersByTimeAsync(100);
    t.control.abandon('caller-hangup');
    // The caller is gone: nothing to hang up at Twilio.
    expect(t.hangUp).not.toHaveBeenCalled();
    expect(t.records.at(-1)).toEqual([
      expect.objectContaining({ state: 'not-answered' }),
    ]);
    expect(t.notes.at(-1)).toBe(
      'transfer to sales: not-answered (call ended: caller-hangup)',
    );
    // Once settled, nothing more: a second end, a late dial end.
    t.control.abandon('admin');
    expect(t.control.dialEnded('no-answer')).toBe(false);
    expect(t.records).toHaveLength(2);
  });

  it.each(['max-duration', 'error', 'shutdown', 'admin'] as const)(
    'a transfer still ringing when the call ends %s is hung up at Twilio (no one left to answer for)',
    async (reason) => {
      const t = harness();
      t.control.transfer('sales', 'quote', 'summary');
      t.state.playedOut = true;
      await jest.advanceTimersByTimeAsync(100);
      t.control.abandon(reason);
      expect(t.hangUp).toHaveBeenCalledTimes(1);
      t.control.abandon(reason);
      expect(t.hangUp).toHaveBeenCalledTimes(1);
    },
  );

  it('a call ending with no transfer ringing hangs nothing up here', () => {
    const t = harness();
    t.control.abandon('max-duration');
    expect(t.hangUp).not.toHaveBeenCalled();
  });

  it('clips the summary by code points: an emoji is never cut in half', async () => {
    const t = harness();
    t.control.transfer('sales', 'quote', `a${'🙂'.repeat(600)}`);
    t.state.playedOut = true;
    await jest.advanceTimersByTimeAsync(100);
    const summary = t.redirect.mock.calls[0][1];
    expect(Array.from(summary)).toHaveLength(500);
    expect(summary).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('a redirect Twilio refuses leaves the call live with the agent told', async () => {
    const t = harness({
      redirect: () => Promise.reject(new Error('HTTP 400 not in-progress')),
    });
    t.control.transfer('sales', 'quote', 'summary');
    t.state.playedOut = true;
    await jest.advanceTimersByTimeAsync(100);
    expect(t.state.state).toBe('live');
    expect(t.told).toEqual([
      expect.stringContaining('The transfer to sales could not be started'),
    ]);
    expect(t.records.at(-1)).toEqual([
      expect.objectContaining({ state: 'not-answered', dialStatus: 'failed' }),
    ]);
    expect(t.faults).toEqual([]);
    // The agent may try again.
    expect(t.control.transfer('sales', 'quote', 'summary')).toContain('sales');
  });

  it('a transfer Twilio never reports on ends the call after the ring time and a guard', async () => {
    const t = harness();
    t.control.transfer('sales', 'quote', 'summary');
    t.state.playedOut = true;
    await jest.advanceTimersByTimeAsync(100);
    await jest.advanceTimersByTimeAsync(20_000 + 59_000);
    expect(t.ended).toEqual([]);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(t.ended).toEqual(['error']);
  });
});
