/**
 * The web page's Live mode in real headless Chromium: a fake microphone plays a WAV (Chromium's
 * --use-file-for-fake-audio-capture), the page streams it through an AudioWorklet to GET /v1/stream, and a final
 * with the expected words and member appears with its probability bars. The server is the compiled `ensemble
 * serve` (worker threads), as users run it. Skips when /usr/bin/chromium is absent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAudio } from '../../src/audio/load.js';
import { encodeWav } from '../../src/audio/wav.js';
import { spawnServe, type ServeProcess } from '../helpers/serve.js';
import { repoRoot } from '../helpers/shared.js';
import { haveChromium, launchChromium, warnIfNoChromium } from '../helpers/chromium.js';

warnIfNoChromium('page-live.test');

describe.skipIf(!haveChromium)('web page Live mode in headless Chromium', () => {
  let srv: ServeProcess;
  let browser: BrowserContext;
  let dir: string;

  beforeAll(async () => {
    srv = await spawnServe(path.join(repoRoot, 'ensembles', 'demo'), ['--workers', '2']);
    dir = mkdtempSync(path.join(os.tmpdir(), 'page-live-'));
    // 1 s of silence, an English sample, 2 s of silence (Chromium loops the file).
    const speech = await loadAudio(path.join(repoRoot, 'samples', 'en_1.wav'), 16000);
    const x = new Float32Array(16000 + speech.length + 32000);
    x.set(speech, 16000);
    const wav = path.join(dir, 'mic.wav');
    writeFileSync(wav, encodeWav([x], 16000, { encoding: 'pcm16' }));
    browser = await launchChromium(path.join(dir, 'profile'), ['--autoplay-policy=no-user-gesture-required', `--use-file-for-fake-audio-capture=${wav}`]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    srv?.kill('SIGKILL');
    await srv?.exited;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('streams the microphone; a final with the spoken words and the en member appears', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${srv.url}/`);
    const btn = page.getByRole('button', { name: 'Start live transcription' });
    await btn.click();
    await expect.poll(() => page.locator('#live-status').textContent(), { timeout: 20_000 }).toMatch(/^Listening/);
    await expect.poll(() => page.locator('#live-finals li').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const first = page.locator('#live-finals li').first();
    expect(await first.locator('.text').textContent()).toMatch(/change the software/);
    expect(await first.locator('.muted').textContent()).toMatch(/· en$/);
    expect(await first.getByRole('meter').count()).toBe(3);
    await page.getByRole('button', { name: 'Stop live transcription' }).click();
    await expect.poll(() => page.locator('#live-status').textContent(), { timeout: 20_000 }).toBe('Stopped.');
    expect(errors).toEqual([]);
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    expect(metrics).toMatch(/^ensemble_streams_active 0$/m);
    expect(Number(/^ensemble_stream_finals_total\{model="en"\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  }, 90_000);
});
