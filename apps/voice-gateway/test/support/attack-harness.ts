import { EmulatedLiveSession, TwilioCallSimulator } from '@app/simulators';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CallHarness,
  callTimings,
  eventually,
  startCallHarness,
} from './call-harness';
import {
  ok,
  ScriptedRestRequest,
  ScriptedTwilioRest,
} from './scripted-twilio-rest';

export const ACCOUNT_SID = `AC${'2'.repeat(32)}`;
export const SALES = '+14155550123';
export const DESK = '+15550000300';
export const OTHER = '+15550000301';
/** The return stream's token (and so the wait for it) lives this long here (ms). */
export const TOKEN_TTL_MS = 2500;

export type Json = Record<string, unknown>;

/**
 * The app for call-control-attacks.e2e-spec: inbound calls to a desk whose agent may `end_call` and
 * `transfer_call` (to `sales`), Twilio's REST API played by hand (ScriptedTwilioRest: it answers what,
 * and when, the test says), no status callback, a short stream-token lifetime (TOKEN_TTL_MS), and the
 * helpers the attacks share.
 */
export async function startAttackHarness() {
  const dir = mkdtempSync(join(tmpdir(), 'vg-attack-'));
  const profiles = join(dir, 'profiles.json');
  writeFileSync(
    profiles,
    JSON.stringify({
      default: {
        name: 'desk',
        greeting: 'Hello.',
        tools: ['end_call', 'transfer_call'],
        transferTargets: { sales: SALES },
      },
    }),
  );
  const rest = await ScriptedTwilioRest.start();
  const h: CallHarness = await startCallHarness(
    {
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_API_BASE_URL: rest.url,
      AGENT_PROFILES_FILE: profiles,
      MAX_CONCURRENT_CALLS: '3',
    },
    {
      chunkIntervalMs: 20,
      reply: (context) => ({
        kind: 'tone',
        hz: 440,
        amplitude: 8000,
        ms: context.toolResponse ? 300 : 400,
      }),
    },
    undefined,
    [
      callTimings({ streamTokenTtlMs: TOKEN_TTL_MS }),
      // The attacks poll records far more often than an operator would.
      {
        token: 'THROTTLER:MODULE_OPTIONS',
        value: {
          throttlers: [
            { name: 'default', ttl: 60_000, limit: 100_000 },
            { name: 'twilio-failures', ttl: 60_000, limit: 300 },
          ],
        },
      },
    ],
  );

  const live = async (): Promise<number> => {
    const body = (await (await fetch(`${h.baseUrl}/health`)).json()) as {
      checks: { capacity: { live: number } };
    };
    return body.checks.capacity.live;
  };
  /** Every slot free again (the record is final a moment before the slot is released). */
  const freed = (): Promise<boolean> =>
    eventually(async () => (await live()) === 0, 3000, 100);
  const recordOf = async (callSid: string): Promise<Json> =>
    (await (await h.admin(`/calls/${callSid}`)).json()) as Json;
  const ended = (callSid: string, timeoutMs = 8000): Promise<Json> =>
    eventually(
      async () => {
        const record = await recordOf(callSid);
        return record.endReason ? record : undefined;
      },
      timeoutMs,
      100,
    );

  /** An inbound call to the desk, greeted and heard. */
  async function connected(to = DESK): Promise<{
    sim: TwilioCallSimulator;
    session: EmulatedLiveSession;
  }> {
    const before = h.emulator.sessions.length;
    const sim = h.call({ to });
    const placed = await sim.placeCall();
    expect(placed.stream).toBe(true);
    const session = await h.emulator.waitForSession(
      3000,
      (s) => h.emulator.sessions.indexOf(s) >= before,
    );
    await eventually(() => sim.firstAudioAtMs !== undefined, 5000);
    await eventually(() => !sim.playing && sim.marksEchoed.length > 0, 5000);
    return { sim, session };
  }

  function transfer(
    session: EmulatedLiveSession,
    id: string,
    summary = 'Dana wants a quote.',
  ): void {
    session.send({
      toolCall: {
        functionCalls: [
          {
            id,
            name: 'transfer_call',
            args: { target: 'sales', reason: 'quote', summary },
          },
        ],
      },
    });
  }

  async function toolAnswer(
    session: EmulatedLiveSession,
    id: string,
  ): Promise<Json> {
    await session.waitFor(
      (m) => JSON.stringify(m.toolResponse ?? {}).includes(`"${id}"`),
      3000,
    );
    const found = session.toolResponses.find((r) => r.id === id) as unknown as {
      response: Json;
    };
    return found.response;
  }

  /** The REST update the transfer sends, answered by `answer` (after the test's own actions). */
  function onRedirect(
    answer: (request: ScriptedRestRequest) => Promise<ReturnType<typeof ok>>,
  ): void {
    rest.answer = (request) =>
      request.params.Twiml !== undefined
        ? answer(request)
        : Promise.resolve(ok(request));
  }

  /**
   * A connected call whose agent transfers it (tool call `id`): Twilio takes the redirect and stops
   * the stream, and the transfer is on the record as dialling.
   */
  async function dialling(id: string) {
    const { sim, session } = await connected();
    onRedirect(async (request) => {
      await sim.hangUp();
      return ok(request);
    });
    const sent = rest.requests.length;
    transfer(session, id);
    await toolAnswer(session, id);
    await rest.received(sent + 1, 8000);
    await eventually(
      async () => {
        const r = await recordOf(sim.callSid);
        return ((r.transfers as Json[] | undefined) ?? []).length === 1;
      },
      3000,
      100,
    );
    return { sim, session };
  }

  const dialAction = (sim: TwilioCallSimulator, status: string) =>
    sim.postForm('/transfer-status', {
      ...sim.callParams('in-progress'),
      DialCallStatus: status,
    });

  return {
    h,
    rest,
    live,
    freed,
    recordOf,
    ended,
    connected,
    transfer,
    toolAnswer,
    onRedirect,
    dialling,
    dialAction,
    /** Every REST request answered 200 (the attacks script otherwise). */
    answerAll(): void {
      rest.answer = (request) => Promise.resolve(ok(request));
    },
    /** Ends every live call (a failed test must not take the next one's slots). */
    async endLiveCalls(): Promise<void> {
      const { calls } = (await (await h.admin('/calls')).json()) as {
        calls: Array<{ callSid: string }>;
      };
      for (const { callSid } of calls)
        await h.admin('/end-call', {
          method: 'POST',
          body: JSON.stringify({ callSid }),
        });
    },
    async close(): Promise<void> {
      await h.close();
      await rest.close();
      rmSync(dir, { recursive: true, force: true });
      for (const name of ['TWILIO_API_BASE_URL', 'AGENT_PROFILES_FILE'])
        process.env[name] = '';
    },
  };
}

export type AttackHarness = Awaited<ReturnType<typeof startAttackHarness>>;
