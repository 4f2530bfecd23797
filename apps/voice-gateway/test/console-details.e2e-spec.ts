import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  describeWithChromium,
  fakeMicrophoneWav,
  launchChromium,
  screenshotPath,
} from './support/browser';
import {
  ADMIN_KEY,
  CallHarness,
  eventually,
  startCallHarness,
} from './support/call-harness';
import { SEEDED_SID, seededRecord } from './support/console-records';

/** Not the console's old hard-coded model: the talk panel must take the server's. */
const SERVER_MODEL = 'gemini-3.9-live';

/**
 * The console's call details, timeline, disabled controls, admin-disabled message and server-named
 * model, in headless Chromium against the real app, the emulator and simulated Twilio calls.
 */
describeWithChromium()(
  'Console details: fields, timeline, disabled states, model from the server',
  () => {
    let h: CallHarness;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let microphone: ReturnType<typeof fakeMicrophoneWav>;
    let pageErrors: string[];
    /** Browser errors a test provokes on purpose (refused requests are logged by Chromium). */
    let expectedErrors: RegExp | undefined;

    beforeAll(async () => {
      microphone = fakeMicrophoneWav(1000, 400, 600, 8000);
      [h, browser] = await Promise.all([
        startCallHarness(
          { GEMINI_MODEL: SERVER_MODEL },
          {
            knownModels: ['gemini-3.8-live', SERVER_MODEL],
            reply: { kind: 'tone', hz: 440, amplitude: 6000, ms: 400 },
            silenceMs: 300,
          },
        ),
        launchChromium(microphone.path),
      ]);
    }, 20_000);

    afterAll(async () => {
      await browser?.close();
      await h?.close();
      microphone?.cleanUp();
    });

    beforeEach(async () => {
      context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
      });
      page = await context.newPage();
      page.setDefaultTimeout(8000);
      pageErrors = [];
      expectedErrors = undefined;
      page.on('pageerror', (err) => pageErrors.push(err.message));
      page.on('console', (msg) => {
        if (msg.type() === 'error') pageErrors.push(msg.text());
      });
    });

    afterEach(async () => {
      await context.close();
      expect(pageErrors.filter((e) => !expectedErrors?.test(e))).toEqual([]);
    });

    async function signIn(hash = ''): Promise<void> {
      await page.goto(`${h.baseUrl}/console${hash}`);
      await page.getByTestId('admin-key').fill(ADMIN_KEY);
      await page.getByTestId('sign-in-submit').click();
      await page
        .locator('[data-testid="stream-status"][data-state="live"]')
        .waitFor();
    }

    const detail = (name: string) =>
      page.locator(`[data-testid="call-details"] dd[data-field="${name}"]`);
    const timeline = () =>
      page.locator(
        '[data-testid="call-transcript"] [data-testid="transcript-entry"]',
      );
    const style = (testid: string) =>
      page.getByTestId(testid).evaluate((el) => {
        const s = getComputedStyle(el);
        return {
          disabled: (el as HTMLButtonElement).disabled,
          cursor: s.cursor,
          opacity: Number(s.opacity),
        };
      });

    async function liveCall() {
      const before = h.emulator.sessions.length;
      const call = h.call();
      expect((await call.placeCall()).stream).toBe(true);
      await h.emulator.waitForSession(
        3000,
        (s) => h.emulator.sessions.indexOf(s) >= before,
      );
      return call;
    }

    it("talk panel: names the server's model and sets it up, nothing hard-coded", async () => {
      await signIn();
      await page
        .locator('[data-testid="talk-model"][data-state="known"]')
        .waitFor();
      expect(await page.getByTestId('talk-model').textContent()).toBe(
        `models/${SERVER_MODEL}`,
      );
      const before = h.emulator.sessions.length;
      await page.getByTestId('talk-start').click();
      await page
        .locator('[data-testid="talk-status"][data-state="talking"]')
        .waitFor();
      const session = await h.emulator.waitForSession(
        3000,
        (s) => h.emulator.sessions.indexOf(s) >= before,
      );
      expect(session.setup?.model).toBe(`models/${SERVER_MODEL}`);
      expect((await style('talk-start')).disabled).toBe(true);
      await page.getByTestId('talk-stop').click();
      await page
        .locator('[data-testid="talk-status"][data-state="idle"]')
        .waitFor();
      expect(await style('talk-start')).toMatchObject({ disabled: false });
      expect(await style('talk-stop')).toMatchObject({
        disabled: true,
        cursor: 'not-allowed',
      });
      await session.closed;
    }, 20_000);

    it('an ended call: direction, from/to, local dates, duration, end reason; End call disabled and looking it', async () => {
      await signIn();
      const call = await liveCall();
      await page
        .locator(`[data-testid="live-call"][data-call-sid="${call.callSid}"]`)
        .click();
      await detail('direction').waitFor();
      expect(await detail('direction').textContent()).toBe('inbound');
      const live = await style('end-call');
      expect(live).toEqual({ disabled: false, cursor: 'pointer', opacity: 1 });

      await call.sendTone(1000, 500, 8000);
      await call.sendSilence(400);
      await timeline()
        .and(page.locator('[data-role="agent"]'))
        .first()
        .waitFor();
      await call.hangUp();
      await page
        .locator('[data-testid="call-page"][data-status="ended"]')
        .waitFor();
      await detail('endReason').waitFor();
      const record = (await (
        await h.admin(`/calls/${call.callSid}`)
      ).json()) as Record<string, string>;

      expect(await detail('from').textContent()).toBe(record.from);
      expect(await detail('to').textContent()).toBe(record.to);
      expect(await detail('status').textContent()).toBe(record.status);
      expect(record.endReason).toBe('caller-hangup');
      expect(await detail('endReason').textContent()).toBe('caller hung up');
      expect(await detail('endReason').getAttribute('title')).toBe(
        'caller-hangup',
      );
      expect(await detail('duration').textContent()).toMatch(/^0:0\d$/);
      for (const name of ['startedAt', 'endedAt']) {
        const time = detail(name).locator('time');
        expect(await time.getAttribute('datetime')).toBe(record[name]);
        const text = (await time.textContent()) ?? '';
        expect(text).toContain(String(new Date(record[name]).getFullYear()));
        expect(text).not.toMatch(/\d{4}-\d\d-\d\dT/); // readable, not ISO
      }
      // Not live: disabled, and it looks it.
      const ended = await style('end-call');
      expect(ended).toEqual({
        disabled: true,
        cursor: 'not-allowed',
        opacity: 0.45,
      });
      expect(await page.getByTestId('end-call').getAttribute('title')).toBe(
        'The call is not live',
      );

      await page.getByTestId('back').click();
      const row = page.locator(
        `[data-testid="past-call"][data-call-sid="${call.callSid}"]`,
      );
      await row.waitFor();
      const cell = (name: string) =>
        row.locator(`td[data-field="${name}"]`).textContent();
      expect(await cell('direction')).toBe('inbound');
      expect(await cell('to')).toBe(record.to);
      expect(await cell('endReason')).toBe('caller hung up');
      expect(await cell('duration')).toMatch(/^0:0\d$/);
    }, 20_000);

    it('admin API unreachable: End call and the outbound form are disabled until the stream is back', async () => {
      await signIn();
      const call = await liveCall();
      expectedErrors = /ERR_FAILED/;
      await page.route('**/console/events', (route) => route.abort());
      await page.goto(`${h.baseUrl}/console#/calls/${call.callSid}`);
      await page.reload();
      await page
        .locator('[data-testid="stream-status"][data-state="reconnecting"]')
        .waitFor();
      await detail('direction').waitFor();
      expect(await style('end-call')).toMatchObject({
        disabled: true,
        cursor: 'not-allowed',
      });
      expect(await page.getByTestId('end-call').getAttribute('title')).toMatch(
        /admin API is unavailable/,
      );
      expect((await style('outbound-submit')).disabled).toBe(true);
      await page.unroute('**/console/events');
      await page
        .locator('[data-testid="stream-status"][data-state="live"]')
        .waitFor({ timeout: 15_000 });
      await eventually(async () => !(await style('end-call')).disabled, 3000);
      expect(await style('end-call')).toMatchObject({ opacity: 1 });
      await call.hangUp();
      await page
        .locator('[data-testid="call-page"][data-status="ended"]')
        .waitFor();
    }, 30_000);

    it('timeline: turns with times, interruptions, tool calls, DTMF, transfers, and per-turn latency', async () => {
      const record = seededRecord();
      // The record as it will come once transfers and latencies are stored: served for one CallSid.
      await page.route(`**/calls/${SEEDED_SID}`, (route) =>
        route.fulfill({ json: record }),
      );
      await page.route(`**/calls/${SEEDED_SID}/recording/info`, (route) =>
        route.fulfill({ json: { status: 'none' } }),
      );
      await page.route('**/calls?status=ended*', async (route) => {
        const res = await route.fetch();
        const body = (await res.json()) as { calls: unknown[] };
        await route.fulfill({
          response: res,
          json: { ...body, calls: [record, ...body.calls] },
        });
      });
      await signIn();
      const past = page.locator(
        `[data-testid="past-call"][data-call-sid="${SEEDED_SID}"]`,
      );
      await past.waitFor();
      expect(
        await past.locator('td[data-field="transfer"]').textContent(),
      ).toBe('support: answered (2)');
      await page.screenshot({
        path: screenshotPath('console-calls.png'),
        fullPage: true,
      });

      await past.click();
      await page.getByTestId('call-page').waitFor();
      await detail('endReason').waitFor();
      expect(await detail('endReason').textContent()).toBe(
        'transferred to a person',
      );
      expect(await detail('transfer').textContent()).toBe(
        'support (sip:desk@pbx.example.com): answered · 2 transfers',
      );
      const items = timeline();
      expect(
        await items.evaluateAll((lis) =>
          lis.map((li) => (li as HTMLElement).dataset.kind),
        ),
      ).toEqual([
        'agent',
        'caller',
        'tool',
        'agent',
        'caller',
        'agent',
        'caller',
        'dtmf',
        'agent',
        'tool',
        'transfer',
        'transfer',
        'caller',
        'agent',
        'tool',
        'transfer',
      ]);
      // Latency beside the agent turn that followed the caller's end of speech; none on the greeting.
      expect(
        await items
          .and(page.locator('[data-kind="agent"]'))
          .evaluateAll((lis) =>
            lis.map(
              (li) =>
                li.querySelector('[data-testid="turn-latency"]')?.textContent ??
                null,
            ),
          ),
      ).toEqual([null, '640 ms', '710 ms', '580 ms', '450 ms']);
      expect(await page.getByTestId('call-latency').textContent()).toBe(
        'Turn latency: median 610 ms · max 710 ms · 4 turns',
      );
      const interrupted = items.and(page.locator('[data-interrupted="true"]'));
      expect(await interrupted.count()).toBe(1);
      expect(await interrupted.locator('.text').textContent()).toBe(
        'Of course, let me see who is free',
      );
      expect(await interrupted.getByTestId('interrupted').isVisible()).toBe(
        true,
      );
      const tool = items.and(page.locator('[data-kind="tool"]')).first();
      expect(await tool.locator('.who').textContent()).toBe(
        'tool lookup_order',
      );
      const dtmf = items.and(page.locator('[data-kind="dtmf"]'));
      expect(await dtmf.locator('.text').textContent()).toBe('5');
      const busy = items.and(
        page.locator('[data-transfer-state="not-answered"]'),
      );
      expect(await busy.locator('.text').textContent()).toBe(
        'to sales (+14155550123): not answered (busy) · a bigger order',
      );
      const answered = items.and(
        page.locator('[data-transfer-state="answered"]'),
      );
      expect(await answered.locator('.text').textContent()).toMatch(
        /^to support \(sip:desk@pbx\.example\.com\): answered/,
      );
      // Every line shows its local time, the offset from the start on hover.
      const first = items.first().locator('.when');
      expect(await first.textContent()).toMatch(/\d{1,2}:\d\d:\d\d/);
      expect(await first.getAttribute('title')).toMatch(
        /^\+0:01 from the start/,
      );
      expect(await style('end-call')).toMatchObject({ disabled: true });
      await page.screenshot({
        path: screenshotPath('console-timeline.png'),
        fullPage: true,
      });
    }, 20_000);
  },
);
