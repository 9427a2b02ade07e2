/** Debian's headless Chromium for the web page tests (installed by .ci/run); tests skip with a message without it. */
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

export function warnIfNoChromium(test: string): void {
  if (!haveChromium) console.warn(`[${test}] ${CHROMIUM} not found: the browser test is skipped (apt-get install chromium)`);
}

/** A headless Chromium with a fresh profile in `profileDir`, a fake microphone and no permission prompts. */
export function launchChromium(profileDir: string, extraArgs: string[] = []): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      ...extraArgs,
    ],
  });
}
