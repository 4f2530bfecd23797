import { encodeWav, toneInt16 } from '@app/simulators';
import { skippingDescribe } from '@app/simulators/shared/skip-reason.util';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * `describe` when Chromium is installed; otherwise a skipping `describe` (with a warning, the reason in
 * the suite's title, printed at the end of `npm test`), except on CI (`CI=true`), where a missing
 * browser is an error rather than a silently skipped suite.
 */
export function describeWithChromium(): jest.Describe {
  if (existsSync(CHROMIUM_PATH)) return describe;
  const why = `${CHROMIUM_PATH} not found: install Debian's chromium package to run the browser tests`;
  if (process.env.CI === 'true') throw new Error(why);
  console.warn(`Skipping the console browser tests: ${why}`);
  return skippingDescribe(why);
}

/** A headless Chromium whose fake microphone loops `wavPath`. */
export async function launchChromium(wavPath: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Playwright adds its own headless flag; these are the ones the tests rely on.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wavPath}`,
    ],
  });
}

/** A temp dir holding a 48 kHz WAV: a `hz` tone for `toneMs`, then `silenceMs` of silence. */
export function fakeMicrophoneWav(
  hz = 1000,
  toneMs = 400,
  silenceMs = 600,
  amplitude = 8000,
): { path: string; cleanUp(): void } {
  const rate = 48000;
  const tone = toneInt16(rate, hz, toneMs, amplitude);
  const samples = new Int16Array(tone.length + (rate * silenceMs) / 1000);
  samples.set(tone);
  const dir = mkdtempSync(join(tmpdir(), 'vg-console-'));
  const path = join(dir, 'microphone.wav');
  writeFileSync(path, encodeWav(rate, samples));
  return { path, cleanUp: () => rmSync(dir, { recursive: true, force: true }) };
}

const REPO_ROOT = join(__dirname, '../../../..');

/**
 * Where the console tests save a screenshot: `test-artifacts/<name>`, or with
 * `CONSOLE_SCREENSHOT_DIR=docs` the README's own images (`docs/<name>`), refreshed on purpose.
 */
export function screenshotPath(name: string): string {
  const dir = join(
    REPO_ROOT,
    process.env.CONSOLE_SCREENSHOT_DIR || 'test-artifacts',
  );
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
