/**
 * The web page at `/`, driven in headless Chromium (Debian's `chromium`, installed by .ci/run) with
 * playwright-core: upload a WAV and see the transcript, the chosen model and the bars; record from a
 * fake microphone. Skips with a message when /usr/bin/chromium is absent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ensemble } from '../../src/ensemble/ensemble.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { buildTinyEnsemble, toneWav, type TinyEnsemble } from '../helpers/tiny-ensemble.js';
import { haveChromium, launchChromium, warnIfNoChromium } from '../helpers/chromium.js';

warnIfNoChromium('web-page.test');

describe.skipIf(!haveChromium)('web page in headless Chromium', () => {
  let tiny: TinyEnsemble;
  let ensemble: Ensemble;
  let srv: RunningServer;
  let browser: BrowserContext;
  let profile: string;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    tiny = await buildTinyEnsemble();
    ensemble = await Ensemble.load(tiny.dir);
    srv = await startServer(ensemble, { port: 0, logStream: null });
    profile = mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
    // a fresh profile folder (playwright passes it as --user-data-dir)
    browser = await launchChromium(profile);
    page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    await ensemble?.dispose();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('is one self-contained document with labelled controls', async () => {
    const res = await fetch(`${srv.url}/`);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await res.text();
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="(?!data:)|(src|href)="https?:|@import|url\(/);
    await page.goto(`${srv.url}/`);
    await expect.poll(() => page.locator('#models-line').textContent()).toBe('Models: dom0, dom1.');
    // every control is reachable by its accessible name
    expect(await page.getByLabel('Audio file').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Transcribe file' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Start recording' }).count()).toBe(1);
    expect(await page.getByLabel("Show every model's transcript").count()).toBe(1);
    expect(await page.getByLabel('Beam width (LM decoding)').count()).toBe(1);
    // no member has an LM: the LM option is disabled
    expect(await page.getByLabel("Decode with the chosen model's language model").isDisabled()).toBe(true);
  });

  it('upload a WAV: transcript, chosen model, probability and confidence bars', async () => {
    const wav = path.join(tiny.fx.root, 'upload.wav');
    writeFileSync(wav, toneWav(tiny.fx, 'cddc'));
    await page.goto(`${srv.url}/`);
    await page.getByLabel('Audio file').setInputFiles(wav);
    await page.getByLabel("Show every model's transcript").check();
    await page.getByRole('button', { name: 'Transcribe file' }).click();
    await expect.poll(() => page.locator('#transcript').textContent(), { timeout: 30_000 }).toBe('cddc');
    expect(await page.locator('#chosen-model').textContent()).toBe('dom1');
    expect(await page.locator('#status').textContent()).toBe('Done: upload.wav.');
    expect(await page.locator('#error').textContent()).toBe('');
    const meters = page.getByRole('meter');
    expect(await meters.count()).toBe(4); // 2 probabilities + 2 confidences
    const p1 = page.getByRole('meter', { name: 'Selector probability of dom1' });
    expect(Number(await p1.getAttribute('aria-valuenow'))).toBeGreaterThan(0.9);
    const width = await p1.locator('.fill').evaluate((el) => (el as HTMLElement).style.width);
    expect(parseFloat(width)).toBeGreaterThan(90);
    const c0 = Number(await page.getByRole('meter', { name: 'Confidence of dom0' }).getAttribute('aria-valuenow'));
    const c1 = Number(await page.getByRole('meter', { name: 'Confidence of dom1' }).getAttribute('aria-valuenow'));
    expect(c1).toBeGreaterThan(c0);
    // every model's transcript
    expect(await page.locator('#all-transcripts tr').allTextContents()).toEqual(['dom0CDDC', 'dom1cddc']);
    expect(consoleErrors).toEqual([]);
  });

  it("shows the server's reason for a file it cannot decode", async () => {
    const bad = path.join(tiny.fx.root, 'broken.wav');
    writeFileSync(bad, new Uint8Array([0x52, 0x49, 0x46, 0x46, 1, 2, 3])); // "RIFF" and nothing else
    await page.goto(`${srv.url}/`);
    await page.getByLabel('Audio file').setInputFiles(bad);
    await page.getByRole('button', { name: 'Transcribe file' }).click();
    await expect.poll(() => page.locator('#error').textContent(), { timeout: 30_000 }).toMatch(/^Transcription failed: request body/);
    consoleErrors.length = 0; // the 400 is logged by the browser as a failed resource
  });

  it('record from the (fake) microphone: the browser encodes WAV, so the server needs no ffmpeg', async () => {
    const old = process.env.CTC_ENSEMBLE_FFMPEG;
    process.env.CTC_ENSEMBLE_FFMPEG = '/nonexistent/ffmpeg'; // anything but WAV would now be refused
    try {
      await page.goto(`${srv.url}/`);
      const sent: Array<string | undefined> = [];
      page.on('request', (r) => {
        if (r.url().includes('/v1/transcribe')) sent.push(r.headers()['content-type']);
      });
      const rec = page.locator('#record-button');
      expect(await rec.textContent()).toBe('Start recording');
      await rec.click();
      await expect.poll(() => rec.getAttribute('aria-pressed')).toBe('true');
      expect(await rec.textContent()).toBe('Stop recording');
      await page.waitForTimeout(1200);
      await rec.click();
      await expect.poll(() => page.locator('#chosen-model').textContent(), { timeout: 30_000 }).toMatch(/^dom[01]$/);
      expect(await page.locator('#error').textContent()).toBe('');
      expect(sent).toEqual(['audio/wav']);
      expect(Number((await page.locator('#audio-seconds').textContent())!.replace(' s', ''))).toBeGreaterThan(0.5);
      expect(await page.getByRole('meter').count()).toBe(4);
      expect(await rec.getAttribute('aria-pressed')).toBe('false');
    } finally {
      if (old === undefined) delete process.env.CTC_ENSEMBLE_FFMPEG;
      else process.env.CTC_ENSEMBLE_FFMPEG = old;
    }
  });
});
