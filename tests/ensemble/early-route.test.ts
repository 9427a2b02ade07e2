/**
 * Early routing (beyond NeMo): members run on the first S seconds, only the chosen one on the whole input;
 * a selector built with `early_route_seconds` is used only with that setting.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEnsemble } from '../../src/ensemble/build.js';
import { parseBuildConfig } from '../../src/ensemble/config.js';
import { Ensemble } from '../../src/ensemble/ensemble.js';
import { decodeWav } from '../../src/audio/wav.js';
import { UserError } from '../../src/util/errors.js';
import { fixtureYaml, makeFixture, type Fixture } from '../helpers/ensemble-fixture.js';
import { toneWav } from '../helpers/tiny-ensemble.js';
import { ensureBuilt, runCli } from '../helpers/cli.js';
import { hasFfmpeg } from '../helpers/tools.js';

let fx: Fixture;
let fullDir: string;
let earlyDir: string;
const quiet = { progress: false as const, log: () => undefined };
beforeAll(async () => {
  fx = makeFixture(mkdtempSync(path.join(os.tmpdir(), 'early-route-')), { domains: 2, train: 10, dev: 2, test: 4 });
  const yaml = path.join(fx.root, 'full.yaml');
  writeFileSync(yaml, fixtureYaml(fx));
  fullDir = (await buildEnsemble(yaml, { ...quiet, outDir: path.join(fx.root, 'full') })).outDir;
  const yamlEarly = path.join(fx.root, 'early.yaml');
  writeFileSync(yamlEarly, fixtureYaml(fx, { more: 'early_route_seconds: 0.5' }));
  earlyDir = (await buildEnsemble(yamlEarly, { ...quiet, outDir: path.join(fx.root, 'early') })).outDir;
}, 300_000);

describe('early routing', () => {
  it('S longer than the input equals full routing exactly', async () => {
    const ens = await Ensemble.load(fullDir);
    try {
      for (const input of [...fx.domains.flatMap((d) => d.testFiles), toneWav(fx, 'abab')]) {
        const full = await ens.transcribe(input, { all: true });
        const early = await ens.transcribe(input, { all: true, earlyRouteSeconds: 1000 });
        expect(early.earlyRoute).toBeUndefined();
        const strip = ({ timingsMs: _t, ...rest }: Record<string, unknown>) => rest;
        expect(strip(early as unknown as Record<string, unknown>)).toEqual(strip(full as unknown as Record<string, unknown>));
      }
    } finally {
      await ens.dispose();
    }
  });

  it('a short prefix routes; the text is the chosen member on the whole input', async () => {
    const ens = await Ensemble.load(earlyDir);
    try {
      expect(ens.earlyRoute()).toEqual({ seconds: 0.5 });
      for (const d of fx.domains) {
        for (const f of d.testFiles) {
          const r = await ens.transcribe(f, { all: true });
          expect(r.earlyRoute).toEqual({ seconds: 0.5 });
          expect(r.model).toBe(d.name);
          expect(r.text).toBe(d.testTexts[d.testFiles.indexOf(f)]);
          expect(r.text).toBe(r.transcripts!.find((t) => t.model === r.model)!.text);
          // Without `all`, only the chosen member runs on the whole input: same text.
          expect((await ens.transcribe(f)).text).toBe(r.text);
        }
      }
    } finally {
      await ens.dispose();
    }
  });

  it('build writes early_route_seconds; the selector is used only with that setting', async () => {
    const json = JSON.parse(readFileSync(path.join(earlyDir, 'ensemble.json'), 'utf8')) as Record<string, unknown>;
    expect(json.earlyRouteSeconds).toBe(0.5);
    expect(JSON.parse(readFileSync(path.join(fullDir, 'ensemble.json'), 'utf8'))).not.toHaveProperty('earlyRouteSeconds');
    const ens = await Ensemble.load(earlyDir);
    const full = await Ensemble.load(fullDir);
    try {
      const f = fx.domains[0].testFiles[0];
      for (const s of [0, 1, 0.25]) {
        await expect(ens.transcribe(f, { earlyRouteSeconds: s })).rejects.toThrow(UserError);
        await expect(ens.transcribe(f, { earlyRouteSeconds: s })).rejects.toThrow(/trained on the first 0\.5 s .*early_route_seconds: 0\.5/);
      }
      expect((await ens.transcribe(f, { earlyRouteSeconds: 0.5 })).earlyRoute).toEqual({ seconds: 0.5 });
      expect([ens.describe().earlyRouteSeconds, full.describe().earlyRouteSeconds]).toEqual([0.5, null]);
      // A whole-utterance selector routes on a prefix with a warning.
      expect(full.earlyRoute()).toEqual({ seconds: null });
      expect(full.earlyRoute(0.5).warning).toMatch(/trained on whole utterances; rebuild with early_route_seconds: 0\.5/);
      expect((await full.transcribe(f, { earlyRouteSeconds: 0.5 })).earlyRoute).toEqual({ seconds: 0.5 });
      expect(() => full.earlyRoute(-1)).toThrow(/≥ 0/);
    } finally {
      await ens.dispose();
      await full.dispose();
    }
  });

  it('infer --early-route: JSON records say so; a whole-utterance selector warns on stderr; a mismatch exits 2 with one line', async () => {
    await ensureBuilt();
    const f = fx.domains[1].testFiles[0];
    const r = await runCli(['infer', '--ensemble', fullDir, '--early-route', '0.5', '--json', f], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: early routing on 0\.5 s with a selector trained on whole utterances/);
    expect(JSON.parse(r.stdout)).toMatchObject({ model: 'dom1', text: fx.domains[1].testTexts[0], earlyRoute: { seconds: 0.5 } });
    const bad = await runCli(['infer', '--ensemble', earlyDir, '--early-route', '0', f], { timeoutMs: 120_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/trained on the first 0\.5 s/);
    // serve refuses such a setting at start-up (one line, exit 2), not on every request.
    const srv = await runCli(['serve', '--ensemble', earlyDir, '--port', '0', '--workers', '0', '--early-route', '1'], { timeoutMs: 60_000 });
    expect(srv.code).toBe(2);
    expect(srv.stderr.trim().split('\n')).toHaveLength(1);
    expect(srv.stderr).toMatch(/trained on the first 0\.5 s/);
  }, 180_000);

  describe('cascade (early_route_min_prob)', () => {
    const strip = ({ timingsMs: _t, earlyRoute: _e, ...rest }: Record<string, unknown>) => rest;
    const inputs = () => [...fx.domains.flatMap((d) => d.testFiles), toneWav(fx, 'abab'), toneWav(fx, 'cdcdcd')];

    it('floor 0 is plain early routing; 1 is full routing exactly', async () => {
      const ens = await Ensemble.load(fullDir);
      try {
        expect(ens.earlyRouteMinProbability()).toBe(0);
        for (const input of inputs()) {
          const plain = await ens.transcribe(input, { all: true, earlyRouteSeconds: 0.3 });
          const zero = await ens.transcribe(input, { all: true, earlyRouteSeconds: 0.3, earlyRouteMinProb: 0 });
          expect(zero.earlyRoute).toEqual({ seconds: 0.3 });
          expect({ ...zero, timingsMs: null }).toEqual({ ...plain, timingsMs: null });
          const full = await ens.transcribe(input, { all: true });
          for (const one of [1, 1.0]) {
            const r = await ens.transcribe(input, { all: true, earlyRouteSeconds: 0.3, earlyRouteMinProb: one });
            expect(r.earlyRoute).toBeUndefined();
            expect(strip(r as unknown as Record<string, unknown>)).toEqual(strip(full as unknown as Record<string, unknown>));
          }
        }
      } finally {
        await ens.dispose();
      }
    });

    it('below the floor the input escalates to full routing; at or above it the prefix decides', async () => {
      const ens = await Ensemble.load(fullDir);
      let escalated = 0;
      try {
        for (const input of inputs()) {
          const full = await ens.transcribe(input, { all: true });
          // S short enough that S·M/(M−1) = 2·S stays below every input: only the probability decides.
          const S = Math.min(0.3, full.audioSeconds / 2.5);
          const plain = await ens.transcribe(input, { all: true, earlyRouteSeconds: S });
          const top = Math.max(...Object.values(plain.probabilities));
          if (top < 1) {
            const up = await ens.transcribe(input, { all: true, earlyRouteSeconds: S, earlyRouteMinProb: Math.min(1, top + 1e-12) });
            expect(up.earlyRoute).toEqual({ seconds: S, minProbability: Math.min(1, top + 1e-12), escalated: 'low-probability', prefixProbability: top });
            expect(strip(up as unknown as Record<string, unknown>)).toEqual(strip(full as unknown as Record<string, unknown>));
            expect(up.timingsMs.prefixModels).toBeGreaterThan(0);
            escalated++;
          }
          const floor = Math.max(1e-9, top - 1e-12);
          const stay = await ens.transcribe(input, { all: true, earlyRouteSeconds: S, earlyRouteMinProb: floor });
          expect(stay.earlyRoute).toEqual({ seconds: S, minProbability: floor });
          expect(strip(stay as unknown as Record<string, unknown>)).toEqual(strip(plain as unknown as Record<string, unknown>));
        }
        expect(escalated).toBeGreaterThan(0);
      } finally {
        await ens.dispose();
      }
    });

    it('with a floor > 0, inputs up to S·M/(M−1) are routed fully (early routing would cost more); floor 0 keeps the prefix', async () => {
      const ens = await Ensemble.load(fullDir);
      try {
        const input = toneWav(fx, 'abab');
        const full = await ens.transcribe(input, { all: true });
        const L = full.audioSeconds;
        // M = 2: up to 2·S full routing costs M·L ≤ M·S + L.
        const S = L / 1.9;
        const r = await ens.transcribe(input, { all: true, earlyRouteSeconds: S, earlyRouteMinProb: 0.01 });
        expect(r.earlyRoute).toEqual({ seconds: S, minProbability: 0.01, escalated: 'short' });
        expect(strip(r as unknown as Record<string, unknown>)).toEqual(strip(full as unknown as Record<string, unknown>));
        expect((await ens.transcribe(input, { earlyRouteSeconds: S, earlyRouteMinProb: 0 })).earlyRoute).toEqual({ seconds: S });
        // Not longer than S: full routing exactly, whatever the floor.
        expect((await ens.transcribe(input, { earlyRouteSeconds: L + 0.1, earlyRouteMinProb: 0.5 })).earlyRoute).toBeUndefined();
        expect((await ens.transcribe(input, { earlyRouteSeconds: L / 2.5, earlyRouteMinProb: 0.01 })).earlyRoute).toEqual({
          seconds: L / 2.5,
          minProbability: 0.01,
        });
      } finally {
        await ens.dispose();
      }
    });

    it('a manifest span (offset/duration) is what early routing and its escalation read', async () => {
      const ens = await Ensemble.load(fullDir);
      try {
        const f = fx.domains[1].testFiles[0];
        const whole = await ens.transcribe(f);
        const span = { offsetSeconds: 0.12, durationSeconds: whole.audioSeconds - 0.2 };
        const full = await ens.transcribe(f, { ...span, all: true });
        expect(full.audioSeconds).toBeCloseTo(whole.audioSeconds - 0.2, 3);
        const early = await ens.transcribe(f, { ...span, all: true, earlyRouteSeconds: 0.3 });
        expect([early.audioSeconds, early.earlyRoute]).toEqual([full.audioSeconds, { seconds: 0.3 }]);
        const one = await ens.transcribe(f, { ...span, all: true, earlyRouteSeconds: 0.3, earlyRouteMinProb: 1 });
        expect(strip(one as unknown as Record<string, unknown>)).toEqual(strip(full as unknown as Record<string, unknown>));
        const top = Math.max(...Object.values(early.probabilities));
        const up = await ens.transcribe(f, { ...span, all: true, earlyRouteSeconds: 0.3, earlyRouteMinProb: Math.min(1, top + 1e-12) });
        expect(strip(up as unknown as Record<string, unknown>)).toEqual(strip(full as unknown as Record<string, unknown>));
      } finally {
        await ens.dispose();
      }
    });

    it('bad floors: a clear error naming the option, the CLI flag (exit 2, one line) or the YAML field', async () => {
      const ens = await Ensemble.load(fullDir);
      try {
        const f = fx.domains[0].testFiles[0];
        for (const p of [-0.1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
          await expect(ens.transcribe(f, { earlyRouteSeconds: 0.3, earlyRouteMinProb: p })).rejects.toThrow(/minimum probability must be a number from 0 to 1/);
        }
      } finally {
        await ens.dispose();
      }
      await ensureBuilt();
      const f = fx.domains[0].testFiles[0];
      for (const v of ['2', '-1', 'high']) {
        const r = await runCli(['infer', '--ensemble', fullDir, '--early-route', '0.3', '--early-route-min-prob', v, f], { timeoutMs: 60_000 });
        expect(r.code).toBe(2);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(/--early-route-min-prob must be a number from 0 to 1/);
      }
      const base = fixtureYaml(fx);
      const file = path.join(fx.root, 'x.yaml');
      expect(parseBuildConfig(base, { file }).earlyRouteMinProb).toBeNull();
      expect(parseBuildConfig(`${base}early_route_min_prob: 0.9\n`, { file }).earlyRouteMinProb).toBe(0.9);
      for (const bad of ['1.5', '-0.2', 'sure']) {
        expect(() => parseBuildConfig(`${base}early_route_min_prob: ${bad}\n`, { file })).toThrow(/x\.yaml.*early_route_min_prob/s);
      }
    }, 180_000);

    it('the YAML floor is the ensemble default; a request may override it', async () => {
      const yaml = path.join(fx.root, 'floor.yaml');
      writeFileSync(yaml, fixtureYaml(fx, { more: 'early_route_min_prob: 1' }));
      const dir = (await buildEnsemble(yaml, { ...quiet, outDir: path.join(fx.root, 'floor') })).outDir;
      expect(JSON.parse(readFileSync(path.join(dir, 'ensemble.json'), 'utf8'))).toMatchObject({ earlyRouteMinProb: 1 });
      const ens = await Ensemble.load(dir);
      try {
        expect(ens.earlyRouteMinProbability()).toBe(1);
        expect(ens.describe().earlyRouteMinProb).toBe(1);
        const f = fx.domains[1].testFiles[0];
        expect((await ens.transcribe(f, { earlyRouteSeconds: 0.3 })).earlyRoute).toBeUndefined();
        expect((await ens.transcribe(f, { earlyRouteSeconds: 0.3, earlyRouteMinProb: 0 })).earlyRoute).toEqual({ seconds: 0.3 });
      } finally {
        await ens.dispose();
      }
    }, 300_000);
  });

  it('early_route_seconds in the YAML must be a positive number', () => {
    const base = fixtureYaml(fx);
    expect(parseBuildConfig(base, { file: path.join(fx.root, 'x.yaml') }).earlyRouteSeconds).toBeNull();
    expect(parseBuildConfig(`${base}early_route_seconds: 2.5\n`, { file: path.join(fx.root, 'x.yaml') }).earlyRouteSeconds).toBe(2.5);
    expect(() => parseBuildConfig(`${base}early_route_seconds: 0\n`, { file: path.join(fx.root, 'x.yaml') })).toThrow(/early_route_seconds.*must be > 0/);
    expect(() => parseBuildConfig(`${base}early_route_seconds: soon\n`, { file: path.join(fx.root, 'x.yaml') })).toThrow(/early_route_seconds/);
  });
});
