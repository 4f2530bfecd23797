import { WebhookReceiver } from '../src/examples/call-summary/webhook-receiver.fixture';
import {
  CallHarness,
  eventually,
  startCallHarness,
} from './support/call-harness';

type Setup = {
  tools?: Array<{ functionDeclarations?: Array<{ name: string }> }>;
};

/** The tool names a real call's Gemini setup declares, for an app started with `env`. */
async function declaredTools(h: CallHarness): Promise<string[]> {
  const call = h.call();
  expect((await call.placeCall()).stream).toBe(true);
  const session = await h.emulator.waitForSession(3000);
  const setup = session.setup as unknown as Setup;
  await call.hangUp();
  return (setup.tools ?? []).flatMap((tool) =>
    (tool.functionDeclarations ?? []).map((declaration) => declaration.name),
  );
}

describe('EXAMPLE_MODULES (e2e)', () => {
  let h: CallHarness | undefined;

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a default start declares no tools to Gemini', async () => {
    h = await startCallHarness();
    expect(await declaredTools(h)).toEqual([]);
  });

  it('EXAMPLE_MODULES=opening-hours declares the example tools', async () => {
    h = await startCallHarness({ EXAMPLE_MODULES: 'opening-hours' });
    expect((await declaredTools(h)).sort()).toEqual([
      'opening_hours',
      'order_status',
    ]);
  });

  /** Places a call, hangs up, waits for its final record; returns how many summaries arrived. */
  async function summariesAfterOneCall(env: Record<string, string>) {
    const receiver = await WebhookReceiver.start(() => 200);
    try {
      h = await startCallHarness({
        ...env,
        CALL_SUMMARY_WEBHOOK_URL: receiver.url,
        CALL_SUMMARY_WEBHOOK_SECRET: 'x'.repeat(16),
      });
      const tools = await declaredTools(h);
      const harness = h;
      await eventually(async () => {
        const res = await harness.admin('/calls?status=ended');
        const body = (await res.json()) as { calls: unknown[] };
        return body.calls.length === 1;
      }, 5000);
      // A loaded notifier posts within milliseconds of call.ended; give it ample time.
      if (env.EXAMPLE_MODULES) {
        await eventually(() => receiver.requests.length > 0, 5000);
      } else {
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      return { tools, summaries: receiver.requests.length };
    } finally {
      await receiver.close();
    }
  }

  it('EXAMPLE_MODULES=call-summary runs the summary listener (and declares no tools)', async () => {
    const { tools, summaries } = await summariesAfterOneCall({
      EXAMPLE_MODULES: 'call-summary',
    });
    expect(tools).toEqual([]);
    expect(summaries).toBe(1);
  });

  it('without EXAMPLE_MODULES no summary listener runs, even with its URL set', async () => {
    const { summaries } = await summariesAfterOneCall({});
    expect(summaries).toBe(0);
  });
});
