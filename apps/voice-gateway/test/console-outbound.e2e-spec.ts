import type { FakeTwilioApi } from '@app/simulators';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  describeWithChromium,
  fakeMicrophoneWav,
  launchChromium,
  screenshotPath,
} from './support/browser';
import { ADMIN_KEY, CallHarness, eventually } from './support/call-harness';
import {
  OutboundHarness,
  PERSON,
  SLOW,
  startOutboundHarness,
} from './support/outbound-harness';

/**
 * The console's "Place a call" form against the real app and the fake Twilio REST API: `POST /calls`
 * from the browser, the call live as outbound and answered by a person, and every refusal's reason.
 */
describeWithChromium()(
  'Console: placing an outbound call (headless Chromium, fake Twilio API)',
  () => {
    let o: OutboundHarness;
    let h: CallHarness;
    let fake: FakeTwilioApi;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let microphone: ReturnType<typeof fakeMicrophoneWav>;
    let pageErrors: string[];
    let expectedErrors: RegExp | undefined;

    beforeAll(async () => {
      microphone = fakeMicrophoneWav();
      [o, browser] = await Promise.all([
        startOutboundHarness(),
        launchChromium(microphone.path),
      ]);
      h = o.h;
      fake = o.fake!;
    }, 20_000);

    afterAll(async () => {
      await browser?.close();
      await o?.close();
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
      expect(fake.faults).toEqual([]);
    });

    async function signIn(): Promise<void> {
      await page.goto(`${h.baseUrl}/console`);
      await page.getByTestId('admin-key').fill(ADMIN_KEY);
      await page.getByTestId('sign-in-submit').click();
      await page
        .locator('[data-testid="stream-status"][data-state="live"]')
        .waitFor();
    }

    async function placeFromForm(to: string, profile = ''): Promise<void> {
      await page.getByTestId('outbound-to').fill(to);
      await page.getByTestId('outbound-profile').selectOption(profile);
      await page.getByTestId('outbound-submit').click();
      await page
        .locator('[data-testid="outbound-result"]:not([data-state="placing"])')
        .waitFor();
    }

    const result = () => page.getByTestId('outbound-result');
    const detail = (name: string) =>
      page.locator(`[data-testid="call-details"] dd[data-field="${name}"]`);

    it('places a call to a person: the CallSid comes back, the call is live as outbound, answered by a person, and ends from its page', async () => {
      await signIn();
      // The profile choices come from the server (GET /console/info).
      await page
        .locator('[data-testid="outbound-profile"] option[value="sales"]')
        .waitFor({ state: 'attached' });
      expect(
        await page
          .getByTestId('outbound-profile')
          .locator('option')
          .evaluateAll((options) =>
            options.map((option) => (option as HTMLOptionElement).value),
          ),
      ).toEqual(['', 'default', 'sales']);

      await placeFromForm(PERSON, 'sales');
      expect(await result().getAttribute('data-state')).toBe('placed');
      const callSid = (await page
        .getByTestId('outbound-call-link')
        .textContent())!;
      expect(callSid).toMatch(/^CA[0-9a-f]{32}$/);
      expect(await result().textContent()).toBe(
        `Calling ${PERSON}: ${callSid}`,
      );
      const twilioCall = fake.call(callSid);
      expect(twilioCall).toBeDefined();

      const row = page.locator(
        `[data-testid="live-call"][data-call-sid="${callSid}"]`,
      );
      await row.waitFor();
      expect(await row.getAttribute('data-direction')).toBe('outbound');
      expect(await row.locator('td[data-field="to"]').textContent()).toBe(
        PERSON,
      );
      await page.screenshot({
        path: screenshotPath('console-outbound.png'),
        fullPage: true,
      });

      await page.getByTestId('outbound-call-link').click();
      await page.getByTestId('call-page').waitFor();
      await detail('direction').waitFor();
      expect(await detail('direction').textContent()).toBe('outbound');
      // Detection answers after 800 ms; a live call's page reads its record again every few seconds.
      await page
        .locator(
          '[data-testid="call-details"] dd[data-field="answeredBy"]:text-is("a person")',
        )
        .waitFor({ timeout: 10_000 });

      await page.locator('[data-testid="end-call"]:not([disabled])').waitFor();
      await page.getByTestId('end-call').click();
      await twilioCall!.ended;
      await page
        .locator('[data-testid="call-page"][data-status="ended"]')
        .waitFor();
      await detail('endReason').waitFor();
      const record = await o.recordOf(callSid);
      expect(record.direction).toBe('outbound');
      expect(record.answeredBy).toBe('human');
      expect(await detail('endReason').getAttribute('title')).toBe(
        record.endReason,
      );
      expect(await detail('answeredBy').textContent()).toBe('a person');
      expect(await page.getByTestId('end-call').isDisabled()).toBe(true);
    }, 30_000);

    it("shows each refusal's reason: 400 validation, 502 Twilio refusing our credentials, 503 at capacity", async () => {
      expectedErrors = /status of (400|502|503)/;
      await signIn();
      const creates = fake.creates.length;

      await placeFromForm('5550001');
      expect(await result().getAttribute('data-state')).toBe('error');
      expect(await result().getAttribute('role')).toBe('alert');
      expect(await result().textContent()).toMatch(
        /^400 Refused: to must be an E\.164 number/,
      );

      await page.getByTestId('outbound-from').fill('me');
      await placeFromForm(PERSON);
      expect(await result().textContent()).toMatch(
        /^400 Refused: from must be an E\.164 number/,
      );
      await page.getByTestId('outbound-from').fill('');
      expect(fake.creates.length).toBe(creates);

      fake.refuseNext({ status: 401, code: 20003, message: 'Authenticate' });
      await placeFromForm(PERSON);
      expect(await result().textContent()).toMatch(
        /^502 Twilio did not take the call: .*rejected the service's credentials/,
      );

      // Both slots held by calls that keep ringing: the next one is refused for capacity.
      const ringing: string[] = [];
      for (let i = 0; i < 2; i++) {
        const res = await o.dial({ to: SLOW });
        expect(res.status).toBe(201);
        ringing.push(((await res.json()) as { callSid: string }).callSid);
      }
      await placeFromForm(PERSON);
      expect(await result().textContent()).toMatch(
        /^503 Cannot place calls right now: At capacity/,
      );
      // The form stays usable after a refusal.
      expect(await page.getByTestId('outbound-submit').isDisabled()).toBe(
        false,
      );
      await page.screenshot({
        path: screenshotPath('console-outbound-refused.png'),
      });
      for (const callSid of ringing) {
        const ended = await h.admin('/end-call', {
          method: 'POST',
          body: JSON.stringify({ callSid }),
        });
        expect(ended.status).toBe(200);
        expect(await fake.call(callSid)?.ended).toBe('canceled');
      }
      await eventually(async () => (await o.liveCount()) === 0);
    }, 30_000);
  },
);
