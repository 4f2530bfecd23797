import type { Browser, Page } from 'playwright-core';
import {
  describeWithChromium,
  fakeMicrophoneWav,
  launchChromium,
  screenshotPath,
} from './support/browser';
import {
  ADMIN_KEY,
  CallHarness,
  startCallHarness,
} from './support/call-harness';

/** The app without ADMIN_API_KEY: its admin API answers 403, and the console says why. */
describeWithChromium()('Console with the admin API disabled', () => {
  let h: CallHarness;
  let browser: Browser;
  let page: Page;
  let microphone: ReturnType<typeof fakeMicrophoneWav>;

  beforeAll(async () => {
    microphone = fakeMicrophoneWav();
    [h, browser] = await Promise.all([
      startCallHarness({ ADMIN_API_KEY: '' }),
      launchChromium(microphone.path),
    ]);
  }, 20_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    microphone?.cleanUp();
  });

  it('says the admin API is disabled on this server, not that the key was refused', async () => {
    const info = await fetch(`${h.baseUrl}/console/info`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(info.status).toBe(403);
    page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${h.baseUrl}/console`);
    await page.getByTestId('admin-key').fill(ADMIN_KEY);
    await page.getByTestId('sign-in-submit').click();
    const error = page.locator(
      '[data-testid="sign-in-error"][data-reason="admin-disabled"]',
    );
    await error.waitFor();
    const text = await error.textContent();
    expect(text).toMatch(/admin API is disabled on this server/);
    expect(text).toContain('ADMIN_API_KEY');
    expect(text).not.toContain('refused');
    await page.screenshot({
      path: screenshotPath('console-admin-disabled.png'),
    });
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 20_000);
});
