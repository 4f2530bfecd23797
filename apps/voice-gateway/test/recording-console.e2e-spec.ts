import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  describeWithChromium,
  fakeMicrophoneWav,
  launchChromium,
} from './support/browser';
import {
  ADMIN_KEY,
  CallHarness,
  eventually,
  startCallHarness,
} from './support/call-harness';

const OPTED_OUT = '+15005550078';

describeWithChromium()(
  'Console: a past call plays its recording (headless Chromium)',
  () => {
    let h: CallHarness;
    let browser: Browser;
    let page: Page;
    let dir: string;
    let microphone: ReturnType<typeof fakeMicrophoneWav>;
    let pageErrors: string[];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'vg-recording-console-'));
      const profiles = join(dir, 'profiles.json');
      writeFileSync(
        profiles,
        JSON.stringify({
          numbers: { [OPTED_OUT]: { name: 'private', recording: false } },
        }),
      );
      microphone = fakeMicrophoneWav();
      [h, browser] = await Promise.all([
        startCallHarness(
          {
            RECORDING: 'on',
            RECORDINGS_DIR: join(dir, 'recordings'),
            AGENT_PROFILES_FILE: profiles,
          },
          { reply: { kind: 'tone', hz: 440, amplitude: 6000, ms: 300 } },
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
      rmSync(dir, { recursive: true, force: true });
    });

    beforeEach(async () => {
      page = await browser.newPage();
      page.setDefaultTimeout(8000);
      pageErrors = [];
      page.on('pageerror', (err) => pageErrors.push(err.message));
      page.on('console', (msg) => {
        if (msg.type() === 'error') pageErrors.push(msg.text());
      });
    });

    afterEach(async () => {
      await page.close();
      expect(pageErrors).toEqual([]);
    });

    async function endedCall(to?: string): Promise<string> {
      const call = h.call(to ? { to } : {});
      expect((await call.placeCall()).stream).toBe(true);
      await call.sendTone(1000, 400, 8000);
      await call.sendSilence(200);
      await call.hangUp();
      await eventually(
        async () => {
          const res = await h.admin(`/calls/${call.callSid}`);
          return ((await res.json()) as { endedAt?: string }).endedAt;
        },
        5000,
        100,
      );
      return call.callSid;
    }

    async function openCallPage(callSid: string): Promise<void> {
      await page.goto(`${h.baseUrl}/console`);
      await page.getByTestId('admin-key').fill(ADMIN_KEY);
      await page.getByTestId('sign-in-submit').click();
      await page
        .locator('[data-testid="stream-status"][data-state="live"]')
        .waitFor();
      await page.goto(`${h.baseUrl}/console#/calls/${callSid}`);
      await page.getByTestId('call-page').waitFor();
    }

    it('fetches the recording with the admin key and plays it from a blob: URL (CSP media-src allows it)', async () => {
      const callSid = await endedCall();
      await eventually(
        () => existsSync(join(dir, 'recordings', `${callSid}.wav`)),
        5000,
        50,
      );
      await openCallPage(callSid);
      await page
        .locator('[data-testid="call-recording"][data-state="ready"]')
        .waitFor();
      expect(await page.getByTestId('recording-info').textContent()).toMatch(
        /^0:0\d · caller left, agent right · /,
      );
      const media = await page.evaluate(async () => {
        const audio = document.getElementById(
          'recording-audio',
        ) as HTMLAudioElement;
        if (audio.readyState < 1)
          await new Promise((resolve, reject) => {
            audio.addEventListener('loadedmetadata', resolve);
            audio.addEventListener('error', () =>
              reject(new Error(`media error ${audio.error?.code}`)),
            );
          });
        return { src: audio.src, duration: audio.duration };
      });
      expect(media.src).toMatch(/^blob:/);
      expect(media.duration).toBeGreaterThan(0.4);
      expect(media.duration).toBeLessThan(5);
    }, 20_000);

    it('shows no player for a call without a recording', async () => {
      const callSid = await endedCall(OPTED_OUT);
      await openCallPage(callSid);
      await page.getByTestId('call-transcript').waitFor({ state: 'attached' });
      // Give the info request time to come back.
      await page.waitForTimeout(500);
      expect(await page.getByTestId('call-recording').isHidden()).toBe(true);
    }, 20_000);
  },
);
