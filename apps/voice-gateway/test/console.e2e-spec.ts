import { rmsInt16 } from '@app/simulators';
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

describeWithChromium()(
  'Operator console in headless Chromium (real app, emulator, simulated Twilio)',
  () => {
    let h: CallHarness;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let microphone: ReturnType<typeof fakeMicrophoneWav>;
    let pageErrors: string[];

    beforeAll(async () => {
      microphone = fakeMicrophoneWav(1000, 400, 600, 8000);
      [h, browser] = await Promise.all([
        startCallHarness(
          {},
          {
            reply: { kind: 'tone', hz: 440, amplitude: 6000, ms: 400 },
            silenceMs: 300,
          },
          () =>
            import('../src/console/console.module').then((m) => [
              m.ConsoleModule,
            ]),
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
        viewport: { width: 1100, height: 700 },
      });
      page = await context.newPage();
      page.setDefaultTimeout(8000);
      pageErrors = [];
      page.on('pageerror', (err) => pageErrors.push(err.message));
      page.on('console', (msg) => {
        if (msg.type() === 'error') pageErrors.push(msg.text());
      });
    });

    afterEach(async () => {
      await context.close();
      expect(pageErrors).toEqual([]);
    });

    async function signIn(): Promise<void> {
      await page.goto(`${h.baseUrl}/console`);
      await page.getByTestId('admin-key').fill(ADMIN_KEY);
      await page.getByTestId('sign-in-submit').click();
      await page
        .locator('[data-testid="stream-status"][data-state="live"]')
        .waitFor();
    }

    async function placeCall() {
      const before = h.emulator.sessions.length;
      const call = h.call();
      expect((await call.placeCall()).stream).toBe(true);
      const session = await h.emulator.waitForSession(
        3000,
        (s) => h.emulator.sessions.indexOf(s) >= before,
      );
      return { call, session };
    }

    const row = (testid: string, callSid: string) =>
      page.locator(`[data-testid="${testid}"][data-call-sid="${callSid}"]`);
    const transcriptLine = (role: string) =>
      page.locator(
        `[data-testid="call-transcript"] [data-testid="transcript-entry"][data-role="${role}"]`,
      );

    it('refuses a wrong key, then signs in with the right one', async () => {
      expect((await fetch(`${h.baseUrl}/console/events`)).status).toBe(401);
      const html = await fetch(`${h.baseUrl}/console/`);
      expect(html.headers.get('content-security-policy')).toContain(
        "script-src 'self'",
      );
      await page.goto(`${h.baseUrl}/console`);
      await page.getByTestId('admin-key').fill('not-the-key');
      await page.getByTestId('sign-in-submit').click();
      await page.getByText('That key was refused.').waitFor();
      pageErrors = pageErrors.filter((e) => !e.includes('401')); // the refused fetch is logged
      await page.getByTestId('admin-key').fill(ADMIN_KEY);
      await page.getByTestId('sign-in-submit').click();
      await page
        .locator('[data-testid="stream-status"][data-state="live"]')
        .waitFor();
      expect(
        await page.evaluate(() =>
          sessionStorage.getItem('voice-console.admin-key'),
        ),
      ).toBe(ADMIN_KEY);
    }, 20_000);

    it("talk panel: sends the fake microphone's audio through the proxy and plays the agent's reply", async () => {
      await signIn();
      const before = h.emulator.sessions.length;
      await page.getByTestId('talk-start').click();
      await page
        .locator('[data-testid="talk-status"][data-state="talking"]')
        .waitFor();
      const session = await h.emulator.waitForSession(
        3000,
        (s) => h.emulator.sessions.indexOf(s) >= before,
      );
      expect(session.setup?.model).toBe('models/gemini-3.8-live');
      // The 400 ms 1 kHz tone at 8000 peak has an RMS near 5700; over tone plus silence, above 2000.
      await eventually(
        () => (rmsInt16(session.callerAudio()) > 1000 ? true : undefined),
        8000,
        50,
      );
      const talkStats = () =>
        page.evaluate(
          () =>
            (window as unknown as { __talkStats: Record<string, number> })
              .__talkStats,
        );
      const stats = await eventually(
        async () => {
          const s = await talkStats();
          return s.audioChunksReceived > 0 && s.samplesPlayed > 0 ? s : false;
        },
        10_000,
        50,
      ).catch(async (err: Error) => {
        throw new Error(
          `${err.message}: __talkStats ${JSON.stringify(await talkStats())}, status ${await page.getByTestId('talk-status').textContent()}, replies ${session.replies.length}`,
        );
      });
      expect(stats.chunksSent).toBeGreaterThan(5);
      await page.getByTestId('talk-stop').click();
      await page
        .locator('[data-testid="talk-status"][data-state="idle"]')
        .waitFor();
      await session.closed;
    }, 20_000);

    it('shows a phone call live, grows its transcript, and ends it from the call page', async () => {
      await signIn();
      const { call } = await placeCall();
      await row('live-call', call.callSid).click();
      await page.getByTestId('call-page').waitFor();
      expect(await page.getByTestId('call-sid').textContent()).toBe(
        call.callSid,
      );
      expect(await transcriptLine('caller').count()).toBe(0);

      await call.sendTone(1000, 500, 8000);
      await call.sendSilence(400);
      await transcriptLine('caller').first().waitFor();
      await transcriptLine('agent').first().waitFor();
      await call.sendSilence(200);

      await page.getByTestId('end-call').click();
      expect((await call.closed).code).toBe(1000);
      await page
        .locator('[data-testid="call-page"][data-status="ended"]')
        .waitFor();
      expect(await page.getByTestId('call-error').textContent()).toBe('');
      await page.getByTestId('back').click();
      await row('live-call', call.callSid).waitFor({ state: 'detached' });
      await row('past-call', call.callSid).waitFor();
    }, 20_000);

    it('screenshots the live table and a call page (console-*.png: test-artifacts/, or CONSOLE_SCREENSHOT_DIR)', async () => {
      await signIn();
      const { call } = await placeCall();
      await row('live-call', call.callSid).waitFor();
      await page.screenshot({
        path: screenshotPath('console-live-calls.png'),
        fullPage: true,
      });
      await row('live-call', call.callSid).click();
      await call.sendTone(1000, 500, 8000);
      await call.sendSilence(400);
      await transcriptLine('agent').first().waitFor();
      await page.screenshot({
        path: screenshotPath('console-call.png'),
        fullPage: true,
      });
      await call.hangUp();
      await page
        .locator('[data-testid="call-page"][data-status="ended"]')
        .waitFor();
    }, 20_000);
  },
);
