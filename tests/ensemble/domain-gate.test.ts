/**
 * The domain gate (beyond NeMo): a logistic regression over the acoustic signature names a member before any member runs;
 * at or above the floor only that member runs, below it the input takes the path it takes without the gate.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEnsemble } from '../../src/ensemble/build.js';
import { loadBuildConfig, parseBuildConfig } from '../../src/ensemble/config.js';
import { addDomainGate } from '../../src/ensemble/domain-gate-build.js';
import { DOMAIN_GATE_FILE, DomainGate, domainGateInputs, type DomainGateJSON } from '../../src/ensemble/domain-gate.js';
import { AcousticSummary, acousticDetailFeatureNames, acousticFeatureNames } from '../../src/features/acoustic-summary.js';
import { trainSelector } from '../../src/selector/index.js';
import { Ensemble } from '../../src/ensemble/ensemble.js';
import { loadCtcModel } from '../../src/models/load.js';
import type { CtcModel } from '../../src/models/types.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { loadManifest } from '../../src/ensemble/manifest.js';
import { startServer } from '../../src/server/server.js';
import { loadAudio } from '../../src/audio/load.js';
import { UserError } from '../../src/util/errors.js';
import { fixtureYaml, makeFixture, type Fixture } from '../helpers/ensemble-fixture.js';
import { toneWav } from '../helpers/tiny-ensemble.js';
import { ensureBuilt, runCli } from '../helpers/cli.js';

let fx: Fixture;
const training = { config: null, utterances: 2, devUtterances: null, trainAccuracy: 1, devAccuracy: null, devCurve: [] };
function toneLike(n: number): Float32Array {
  let s = 7;
  return Float32Array.from({ length: n }, (_, t) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return 0.2 * Math.sin((2 * Math.PI * 440 * t) / 16000) * (1 + 0.5 * Math.sin((2 * Math.PI * 3 * t) / 16000)) + (s / 2 ** 32 - 0.5) * 0.05;
  });
}
let plainDir: string;
let gateDir: string;
let gateYaml: string;
const quiet = { progress: false as const, log: () => undefined };
const strip = ({ timingsMs: _t, domainGate: _g, ...rest }: Record<string, unknown>): Record<string, unknown> => rest;
const loose = (r: unknown): Record<string, unknown> => strip(r as Record<string, unknown>);

/** Loads models that count their ONNX passes per model folder. */
function countingLoader(): { load: (dir: string) => Promise<CtcModel>; runs: Map<string, number> } {
  const runs = new Map<string, number>();
  return {
    runs,
    load: async (dir: string) => {
      const m = await loadCtcModel(dir);
      const o = m as unknown as Record<string, (...a: never[]) => Promise<unknown>>;
      for (const k of ['run', 'runFeatures']) {
        const f = o[k];
        if (typeof f !== 'function') continue;
        const bound = f.bind(m);
        o[k] = async (...a: never[]) => {
          runs.set(path.basename(dir), (runs.get(path.basename(dir)) ?? 0) + 1);
          return bound(...a);
        };
      }
      return m;
    },
  };
}

beforeAll(async () => {
  fx = makeFixture(mkdtempSync(path.join(os.tmpdir(), 'domain-gate-')), { domains: 2, train: 10, dev: 2, test: 4 });
  const yaml = path.join(fx.root, 'plain.yaml');
  writeFileSync(yaml, fixtureYaml(fx, { dev: true }));
  plainDir = (await buildEnsemble(yaml, { ...quiet, outDir: path.join(fx.root, 'plain') })).outDir;
  gateYaml = path.join(fx.root, 'gate.yaml');
  // No verification floors here (their own test below): the gate's decisions are final.
  writeFileSync(gateYaml, fixtureYaml(fx, { dev: true, more: 'domain_gate: true\ndomain_gate_verify_false_accept: 0' }));
  gateDir = (await buildEnsemble(gateYaml, { ...quiet, outDir: path.join(fx.root, 'gate') })).outDir;
}, 300_000);

describe('domain gate', () => {
  it('build writes domain-gate.json; it round-trips, and --domain-gate-only on an existing ensemble writes the same gate', async () => {
    const text = readFileSync(path.join(gateDir, DOMAIN_GATE_FILE), 'utf8');
    const json = JSON.parse(text) as Record<string, unknown>;
    expect(json).toMatchObject({ format: 'ctc-ensemble/domain-gate', version: 2, members: ['dom0', 'dom1'], defaultMinProbability: null });
    expect(json.inputs).toEqual({ kind: 'acoustic-detail', version: 1, names: acousticDetailFeatureNames() });
    const gate = (await DomainGate.read(gateDir, ['dom0', 'dom1']))!;
    expect(JSON.parse(JSON.stringify(gate.json))).toEqual(json);
    // The same selector and ensemble.json as a build without the gate: the gate changes nothing else.
    expect(JSON.parse(readFileSync(path.join(gateDir, 'ensemble.json'), 'utf8')).selector).toEqual(
      JSON.parse(readFileSync(path.join(plainDir, 'ensemble.json'), 'utf8')).selector,
    );
    expect(await DomainGate.read(plainDir, ['dom0', 'dom1'])).toBeNull();
    // Added afterwards to the ensemble built without it: the same regression (no member runs for it).
    const cfg = await loadBuildConfig(gateYaml);
    const added = await addDomainGate(cfg, { outDir: plainDir, progress: false, log: () => undefined });
    try {
      expect(added.gate.json.selector).toEqual(gate.json.selector);
      expect(added.gate.json.training).toEqual(gate.json.training);
      // Members that differ from the ensemble's are refused.
      expect(() => DomainGate.fromJSON({ ...json, members: ['dom1', 'dom0'] }, ['dom0', 'dom1'], 'g.json')).toThrow(/g\.json: members.*dom0, dom1/);
      expect(() => DomainGate.fromJSON({ ...json, version: 3 }, ['dom0', 'dom1'], 'g.json')).toThrow(/newer/);
      expect(() => DomainGate.fromJSON({ ...json, inputs: { ...(json.inputs as object), kind: 'mfcc' } }, ['dom0', 'dom1'], 'g.json')).toThrow(
        /g\.json: inputs\.kind/,
      );
      // A version-1 gate (on the selector's 22-value summary) cannot pass for a detailed one, and is still read.
      expect(() => DomainGate.fromJSON({ ...json, inputs: domainGateInputs('acoustic-summary') }, ['dom0', 'dom1'], 'g.json')).toThrow(
        /takes 62 inputs, the acoustic-summary has 22/,
      );
      expect(() => DomainGate.fromJSON({ ...json, inputs: { ...(json.inputs as object), version: 99 } }, ['dom0', 'dom1'], 'g.json')).toThrow(
        /inputs\.version/,
      );
      writeFileSync(path.join(plainDir, DOMAIN_GATE_FILE), '{"format": 1');
      await expect(Ensemble.load(plainDir)).rejects.toThrow(/domain-gate\.json.*invalid JSON/s);
    } finally {
      rmSync(path.join(plainDir, DOMAIN_GATE_FILE));
    }
  });

  it('a version-1 gate (the 22-value acoustic summary) is still read and decides on that summary; a new gate on the detailed one', () => {
    const x = toneLike(16000 * 2);
    const s = new AcousticSummary({ detail: true }).add(x);
    const rows = [s.features(), s.features().map((v, i) => v + (i % 3) - 1)];
    const v1 = DomainGate.fromSelector(trainSelector(rows, [0, 1]), ['dom0', 'dom1'], null, training, null, 'acoustic-summary');
    expect(v1.json.version).toBe(1);
    expect(v1.inputKind).toBe('acoustic-summary');
    const again = DomainGate.fromJSON(JSON.parse(JSON.stringify(v1.json)), ['dom0', 'dom1'], 'v1.json');
    const d1 = again.decide(x);
    expect(d1.acoustic).toEqual(s.features());
    expect(d1.probabilities).toEqual(again.decideFeatures(s.features()).probabilities);
    const drows = [s.detailFeatures(), s.detailFeatures().map((v, i) => v + (i % 3) - 1)];
    const v2 = DomainGate.fromSelector(trainSelector(drows, [0, 1]), ['dom0', 'dom1'], null, training);
    expect([v2.json.version, v2.inputKind, v2.json.inputs.names.length]).toEqual([2, 'acoustic-detail', 62]);
    const d2 = v2.decide(x);
    // the selector still gets the 22-value summary; the gate decided on the 62-value signature
    expect(d2.acoustic).toEqual(s.features());
    expect(d2.acoustic).toHaveLength(acousticFeatureNames().length);
    expect(d2.probabilities).toEqual(v2.decideFeatures(s.detailFeatures()).probabilities);
  });

  it('gate off (default, or 0) equals today exactly; an ensemble without a gate refuses a floor > 0', async () => {
    const gated = await Ensemble.load(gateDir);
    const plain = await Ensemble.load(plainDir);
    try {
      expect(gated.domainGateMinProbability()).toBe(0);
      for (const input of [...fx.domains.flatMap((d) => d.testFiles), toneWav(fx, 'abab')]) {
        const today = await plain.transcribe(input, { all: true });
        for (const o of [{}, { domainGateMinProb: 0 }]) {
          const r = await gated.transcribe(input, { all: true, ...o });
          expect(r.domainGate).toBeUndefined();
          expect(loose(r)).toEqual(loose(today));
        }
      }
      const f = fx.domains[0].testFiles[0];
      await expect(plain.transcribe(f, { domainGateMinProb: 0.9 })).rejects.toThrow(UserError);
      await expect(plain.transcribe(f, { domainGateMinProb: 0.9 })).rejects.toThrow(/no domain gate \(domain-gate\.json\).*--domain-gate-only/);
      for (const p of [-0.1, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(gated.transcribe(f, { domainGateMinProb: p })).rejects.toThrow(/domain gate floor must be a number ≥ 0/);
      }
    } finally {
      await gated.dispose();
      await plain.dispose();
    }
  });

  it('a floor above 1 equals the configured fallback exactly (full routing, early routing, its cascade)', async () => {
    const ens = await Ensemble.load(gateDir);
    try {
      // Files, bytes, and 8 kHz audio (resampled): the fallback gets the gate's samples, which must be the ones it reads itself.
      for (const input of [...fx.domains.flatMap((d) => d.testFiles), toneWav(fx, 'abba'), toneWav(fx, 'cdc', 8000)]) {
        for (const fallback of [{}, { earlyRouteSeconds: 0.3 }, { earlyRouteSeconds: 0.3, earlyRouteMinProb: 0.999999 }]) {
          const want = await ens.transcribe(input, { all: true, ...fallback });
          const r = await ens.transcribe(input, { all: true, ...fallback, domainGateMinProb: 1.5 });
          expect(r.domainGate).toMatchObject({ minProbability: 1.5, gated: false, passed: 'low-probability' });
          expect(r.domainGate!.probability).toBeGreaterThanOrEqual(0.5);
          expect(r.timingsMs.gate).toBeGreaterThan(0);
          expect(loose(r)).toEqual(loose(want));
        }
      }
    } finally {
      await ens.dispose();
    }
  });

  it('verification: a gated member scoring below its floor hands the input on to full routing; the build sets the floors', async () => {
    const file = path.join(gateDir, DOMAIN_GATE_FILE);
    const original = readFileSync(file, 'utf8');
    const json = JSON.parse(original) as DomainGateJSON;
    expect(json.verify).toBeUndefined(); // domain_gate_verify_false_accept: 0
    // By default the build sets per member the confidence only 1 % of the other domains' dev utterances reach under it
    // (2 dev utterances per domain here: the highest of the other domain's).
    const yaml = path.join(fx.root, 'gate-verify.yaml');
    writeFileSync(yaml, fixtureYaml(fx, { dev: true, more: 'domain_gate: true' }));
    const added = await addDomainGate(await loadBuildConfig(yaml), { outDir: plainDir, progress: false, log: () => undefined });
    const plain = await Ensemble.load(plainDir);
    try {
      expect(added.gate.json.verify!.falseAccept).toBe(0.01);
      expect(plain.members().map((m) => m.domainGateVerifyFloor)).toEqual(added.gate.json.verify!.floors);
      for (const [i, dom] of fx.domains.entries()) {
        const other = fx.domains[1 - i];
        const devs = (await loadManifest(other.dev, { requireText: true })).entries;
        const foreign = await Promise.all(devs.map(async (e) => (await plain.transcribe(e.audioPath, { all: true })).confidences[dom.name]));
        expect(added.gate.json.verify!.floors[i]).toBeCloseTo(Math.max(...foreign), 12);
      }
    } finally {
      await plain.dispose();
      rmSync(path.join(plainDir, DOMAIN_GATE_FILE));
    }
    const withFloors = (floors: number[]) => writeFileSync(file, JSON.stringify({ ...json, verify: { falseAccept: 0.01, floors } }));
    const sets = await Promise.all(fx.domains.map(async (d) => ({ domain: d.name, utterances: (await loadManifest(d.test, { requireText: true })).entries })));
    try {
      withFloors([2, 2]); // above every confidence: every gated input is passed on
      const c = countingLoader();
      let ens = await Ensemble.load(gateDir, { loadModel: c.load });
      try {
        for (const f of fx.domains.flatMap((d) => d.testFiles)) {
          const full = await ens.transcribe(f, {});
          c.runs.clear();
          const r = await ens.transcribe(f, { domainGateMinProb: 0.5 });
          // The gated member's posteriors go on with the input: every member ran once, none twice.
          expect(Object.fromEntries(c.runs)).toEqual(Object.fromEntries(fx.domains.map((d) => [path.basename(d.modelDir), 1])));
          expect(r.domainGate).toMatchObject({ gated: false, passed: 'verify', floor: 2 });
          expect(r.domainGate!.confidence).toBeCloseTo(full.confidences[r.domainGate!.member!], 12);
          expect(loose(r)).toEqual(loose(full));
          // Off for this request: the gate's decision is final.
          expect((await ens.transcribe(f, { domainGateMinProb: 0.5, domainGateVerify: false })).domainGate).toMatchObject({ gated: true });
        }
        // eval scores verification from the main pass's confidences: every gated input goes to full routing, at its cost.
        const rep = await evaluate(ens, sets, { jobs: 1, domainGateMinProbs: [0.5] });
        const point = rep.domainGate!.curve[0];
        expect([point.gated.share, point.verifyPassedOn]).toEqual([0, sets.reduce((a, s) => a + s.utterances.length, 0)]);
        expect(point.overall).toEqual(rep.selection.overall);
        expect(point.cost).toBeCloseTo(1, 9);
        expect(point.measuredCost).toBeGreaterThan(1);
      } finally {
        await ens.dispose();
      }
      withFloors([-1, -1]); // below every confidence: the gate's decisions stand
      ens = await Ensemble.load(gateDir);
      try {
        for (const f of fx.domains.flatMap((d) => d.testFiles))
          expect((await ens.transcribe(f, { domainGateMinProb: 0.5 })).domainGate).toMatchObject({ gated: true });
        const rep = await evaluate(ens, sets, { jobs: 1, domainGateMinProbs: [0.5] });
        expect([rep.domainGate!.curve[0].gated.share, rep.domainGate!.curve[0].verifyPassedOn]).toEqual([1, 0]);
      } finally {
        await ens.dispose();
      }
    } finally {
      writeFileSync(file, original);
    }
    // Bad floors name the file and field.
    expect(() => DomainGate.fromJSON({ ...json, verify: { falseAccept: 0.01, floors: [1] } }, ['dom0', 'dom1'], 'g.json')).toThrow(/g\.json: verify\.floors/);
    expect(() => DomainGate.fromJSON({ ...json, verify: { falseAccept: 0.7, floors: [1, 1] } }, ['dom0', 'dom1'], 'g.json')).toThrow(/verify\.falseAccept/);
    const base = fixtureYaml(fx, { dev: true });
    const vy = path.join(fx.root, 'v.yaml');
    expect(parseBuildConfig(`${base}domain_gate: true\n`, { file: vy })).toMatchObject({ domainGateVerifyFalseAccept: 0.01 });
    expect(parseBuildConfig(`${base}domain_gate: true\ndomain_gate_verify_false_accept: 0\n`, { file: vy })).toMatchObject({ domainGateVerifyFalseAccept: 0 });
    expect(() => parseBuildConfig(`${base}domain_gate: true\ndomain_gate_verify_false_accept: 0.6\n`, { file: vy })).toThrow(
      /v\.yaml.*domain_gate_verify_false_accept.*below 0\.5/s,
    );
  });

  it('a gated input runs only the gate member, on the whole input: the same text as that member under full routing', async () => {
    const c = countingLoader();
    const ens = await Ensemble.load(gateDir, { loadModel: c.load });
    try {
      for (const [d, dom] of fx.domains.entries()) {
        for (const [u, f] of dom.testFiles.entries()) {
          const full = await ens.transcribe(f, { all: true });
          c.runs.clear();
          const r = await ens.transcribe(f, { domainGateMinProb: 0.5 });
          // The tone domains are told apart by their spectra: the gate is sure and right.
          expect(r.domainGate).toMatchObject({ minProbability: 0.5, gated: true, member: dom.name });
          expect([r.model, r.text]).toEqual([dom.name, dom.testTexts[u]]);
          expect(r.text).toBe(full.transcripts!.find((t) => t.model === dom.name)!.text);
          expect(Object.keys(r.confidences)).toEqual([dom.name]);
          expect(r.confidences[dom.name]).toBeCloseTo(full.confidences[dom.name], 12);
          expect(r.segments).toHaveLength(1);
          // Only that member's model ran, once.
          expect(Object.fromEntries(c.runs)).toEqual({ [path.basename(fx.domains[d].modelDir)]: 1 });
        }
      }
      // A manifest span is what the gate and its member read.
      const f = fx.domains[1].testFiles[0];
      const whole = await ens.transcribe(f);
      const span = { offsetSeconds: 0.1, durationSeconds: whole.audioSeconds - 0.2 };
      const full = await ens.transcribe(f, { ...span, all: true });
      const g = await ens.transcribe(f, { ...span, domainGateMinProb: 0.5 });
      expect([g.audioSeconds, g.text]).toEqual([full.audioSeconds, full.transcripts!.find((t) => t.model === g.model)!.text]);
    } finally {
      await ens.dispose();
    }
  });

  it('YAML domain_gate_min_prob is the default floor; bad values name the file and field', async () => {
    const file = path.join(fx.root, 'x.yaml');
    const base = fixtureYaml(fx, { dev: true });
    expect(parseBuildConfig(base, { file })).toMatchObject({ domainGate: false, domainGateMinProb: null });
    expect(parseBuildConfig(`${base}domain_gate: true\ndomain_gate_min_prob: 0.9\n`, { file })).toMatchObject({ domainGate: true, domainGateMinProb: 0.9 });
    for (const bad of ['-0.2', 'sure']) {
      expect(() => parseBuildConfig(`${base}domain_gate: true\ndomain_gate_min_prob: ${bad}\n`, { file })).toThrow(/x\.yaml.*domain_gate_min_prob/s);
    }
    expect(() => parseBuildConfig(`${base}domain_gate_min_prob: 0.9\n`, { file })).toThrow(/x\.yaml.*domain_gate_min_prob.*domain_gate: true/s);
    expect(() => parseBuildConfig(`${base}domain_gate: maybe\n`, { file })).toThrow(/x\.yaml.*domain_gate/s);
    const yaml = path.join(fx.root, 'gate-floor.yaml');
    writeFileSync(yaml, `${base}domain_gate: true\ndomain_gate_min_prob: 0.5\n`);
    const dir = (await buildEnsemble(yaml, { ...quiet, outDir: path.join(fx.root, 'gate-floor') })).outDir;
    const ens = await Ensemble.load(dir);
    try {
      expect(ens.domainGateMinProbability()).toBe(0.5);
      const f = fx.domains[0].testFiles[0];
      expect((await ens.transcribe(f)).domainGate).toMatchObject({ gated: true });
      expect((await ens.transcribe(f, { domainGateMinProb: 0 })).domainGate).toBeUndefined();
    } finally {
      await ens.dispose();
    }
  }, 300_000);

  it('CLI: bad --domain-gate values and a missing gate are one-line errors (exit 2); infer --json shows the gate', async () => {
    await ensureBuilt();
    const f = fx.domains[1].testFiles[0];
    for (const v of ['-1', 'high']) {
      const r = await runCli(['infer', '--ensemble', gateDir, '--domain-gate', v, f], { timeoutMs: 60_000 });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/--domain-gate/);
    }
    const none = await runCli(['infer', '--ensemble', plainDir, '--domain-gate', '0.9', f], { timeoutMs: 60_000 });
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/no domain gate/);
    const ok = await runCli(['infer', '--ensemble', gateDir, '--domain-gate', '0.5', '--format', 'json', f], { timeoutMs: 60_000 });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ model: 'dom1', domainGate: { gated: true, member: 'dom1', minProbability: 0.5 } });
    const ev = await runCli(['eval', '--ensemble', plainDir, '--test', `dom0=${fx.domains[0].test}`, '--domain-gate', '0.9', '--quiet'], { timeoutMs: 60_000 });
    expect([ev.code, ev.stderr.trim().split('\n').length]).toEqual([2, 1]);
    expect(ev.stderr).toMatch(/no domain gate/);
  }, 180_000);

  it('server: ?domain_gate gates, a bad value or a missing gate is a 400', async () => {
    const ens = await Ensemble.load(gateDir);
    const plain = await Ensemble.load(plainDir);
    const srv = await startServer(ens, { port: 0, logStream: null });
    const srvPlain = await startServer(plain, { port: 0, logStream: null });
    const post = async (url: string, q: string): Promise<{ status: number; json: Record<string, unknown> }> => {
      // A dom1 test utterance (as the CLI case): a lone synthetic tone string need not look like dom1's training audio to the gate.
      const body = readFileSync(fx.domains[1].testFiles[0]);
      const res = await fetch(`${url}/v1/transcribe${q}`, { method: 'POST', body, headers: { 'content-type': 'audio/wav' } });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    try {
      // GET /v1/models says whether there is a gate and its defaults (off unless asked for).
      const models = (await (await fetch(`${srv.url}/v1/models`)).json()) as { selector: { domainGate: unknown } };
      expect(models.selector.domainGate).toEqual({ defaultMinProbability: null, defaultPrune: null });
      const plainModels = (await (await fetch(`${srvPlain.url}/v1/models`)).json()) as { selector: { domainGate: unknown } };
      expect(plainModels.selector.domainGate).toBeNull();
      const g = await post(srv.url, '?domain_gate=0.5');
      expect([g.status, g.json.model, g.json.text]).toEqual([200, 'dom1', fx.domains[1].testTexts[0]]);
      expect(g.json.domainGate).toMatchObject({ gated: true, member: 'dom1' });
      const off = await post(srv.url, '');
      expect([off.status, off.json.domainGate]).toEqual([200, undefined]);
      for (const q of ['?domain_gate=-1', '?domain_gate=x', '?domain_gate=0.5&domain_gate_prune=1']) {
        const b = await post(srv.url, q);
        expect([b.status, (b.json.error as { code: string }).code]).toEqual([400, 'E_QUERY']);
      }
      const n = await post(srvPlain.url, '?domain_gate=0.5');
      expect(n.status).toBe(400);
      expect(JSON.stringify(n.json)).toMatch(/no domain gate/);
    } finally {
      await srv.stop();
      await srvPlain.stop();
    }
  });

  it('pruning: members the gate gives less than E do not run; the selector chooses among the rest', async () => {
    const fx3 = makeFixture(mkdtempSync(path.join(os.tmpdir(), 'domain-gate-3-')), { domains: 3, train: 10, dev: 2, test: 3 });
    const yaml = path.join(fx3.root, 'gate.yaml');
    // The demo's selector inputs, so that pruning sets blank_share / token_rate columns too and reuses the gate's summary.
    writeFileSync(
      yaml,
      fixtureYaml(fx3, {
        dev: true,
        more: 'domain_gate: true\ndomain_gate_verify_false_accept: 0\nselector:\n  features: [confidence, blank_share, token_rate, acoustic]',
      }),
    );
    const dir = (await buildEnsemble(yaml, { ...quiet, outDir: path.join(fx3.root, 'gate') })).outDir;
    const c = countingLoader();
    const ens = await Ensemble.load(dir, { loadModel: c.load });
    try {
      const names = ens.names;
      let subsets = 0;
      for (const dom of fx3.domains) {
        for (const [u, f] of dom.testFiles.entries()) {
          const full = await ens.transcribe(f, { all: true });
          // Every member passes: exactly the path without pruning.
          // Not decided: full routing exactly, the selector reading the gate's summary instead of its own.
          expect(loose(await ens.transcribe(f, { all: true, domainGateMinProb: 2 }))).toEqual(loose(full));
          expect(loose(await ens.transcribe(toneWav(fx3, 'ef', 8000), { domainGateMinProb: 2 }))).toEqual(
            loose(await ens.transcribe(toneWav(fx3, 'ef', 8000))),
          );
          const everyone = await ens.transcribe(f, { all: true, domainGateMinProb: 2, domainGatePrune: Number.MIN_VALUE });
          expect(everyone.domainGate).toMatchObject({ gated: false, ran: names });
          expect(loose(everyone)).toEqual(loose(full));
          // A threshold between the gate's second and third probability: two members run.
          const p = Object.values(ens.domainGate!.decide(await loadAudio(f, 16000)).probabilities).sort((a, b) => b - a);
          if (!(p[1] > p[2])) continue;
          c.runs.clear();
          const r = await ens.transcribe(f, { domainGateMinProb: 2, domainGatePrune: (p[1] + p[2]) / 2 });
          subsets++;
          expect(r.domainGate!.ran).toHaveLength(2);
          expect(r.domainGate).toMatchObject({ gated: false, prune: (p[1] + p[2]) / 2, passed: 'low-probability' });
          expect([...c.runs.keys()].sort()).toEqual(r.domainGate!.ran.map((n) => path.basename(fx3.domains[names.indexOf(n)].modelDir)).sort());
          expect(Object.keys(r.confidences).sort()).toEqual([...r.domainGate!.ran].sort());
          if (r.domainGate!.ran.includes(dom.name)) expect([r.model, r.text]).toEqual([dom.name, dom.testTexts[u]]);
          // Above the second probability only the gate's member is left: it decides alone.
          const one = await ens.transcribe(f, { domainGateMinProb: 2, domainGatePrune: Math.min(0.999, (p[0] + p[1]) / 2) });
          expect(one.domainGate).toMatchObject({ gated: true, ran: [one.model] });
        }
      }
      expect(subsets).toBeGreaterThan(0);
      // With every member a candidate, selectAmong is the selector's own choice.
      const f = fx3.domains[2].testFiles[0];
      const full = await ens.transcribe(f);
      const feats = ens.selectorFeatures();
      const audio = await loadAudio(f, 16000);
      const { DecodedAudio } = await import('../../src/ensemble/runner.js');
      const lps = await ens.posteriors(new DecodedAudio(audio, 16000));
      ens.addSelectorFeatures(feats, new DecodedAudio(audio, 16000), lps);
      const conf = names.map((n) => full.confidences[n]);
      expect(ens.selectAmong([0, 1, 2], conf, feats).modelIndex).toBe(ens.select(conf, feats).modelIndex);
      expect(ens.selectAmong([1], conf, feats).modelIndex).toBe(1);
      // The gate's summary reused by the selector (addWhole) gives the row computing it again gives.
      const reused = ens.selectorFeatures()!;
      const { posteriorCounts } = await import('../../src/confidence/index.js');
      reused.addWhole(
        audio.length / 16000,
        lps.map((lp, i) => posteriorCounts(lp, ens.memberModel(i).blankId)),
        ens.domainGate!.decide(audio).acoustic,
      );
      expect(reused.row(conf)).toEqual(feats!.row(conf));
      for (const bad of [-0.1, 1, Number.NaN])
        await expect(ens.transcribe(f, { domainGateMinProb: 2, domainGatePrune: bad })).rejects.toThrow(/pruning threshold/);
      await expect(ens.transcribe(f, { domainGatePrune: 0.1 })).rejects.toThrow(/pruning needs the gate/);
    } finally {
      await ens.dispose();
    }
    await ensureBuilt();
    for (const args of [
      ['--domain-gate', '0.9', '--domain-gate-prune', '1'],
      ['--domain-gate-prune', '0.1'],
    ]) {
      const r = await runCli(['infer', '--ensemble', dir, ...args, fx3.domains[0].testFiles[0]], { timeoutMs: 60_000 });
      expect([r.code, r.stderr.trim().split('\n').length]).toEqual([2, 1]);
      expect(r.stderr).toMatch(/--domain-gate-prune/);
    }
    const file = path.join(fx3.root, 'x.yaml');
    expect(parseBuildConfig(`${fixtureYaml(fx3, { dev: true })}domain_gate: true\ndomain_gate_prune: 0.05\n`, { file }).domainGatePrune).toBe(0.05);
    expect(() => parseBuildConfig(`${fixtureYaml(fx3, { dev: true })}domain_gate: true\ndomain_gate_prune: 1\n`, { file })).toThrow(
      /x\.yaml.*domain_gate_prune/s,
    );
  }, 300_000);

  it('eval scores each floor from one gated pass: above 1 the fallback, a tiny floor gates all at cost 1/M', async () => {
    const ens = await Ensemble.load(gateDir);
    try {
      const sets = await Promise.all(
        fx.domains.map(async (d) => ({ domain: d.name, utterances: (await loadManifest(d.test, { requireText: true })).entries })),
      );
      const r = await evaluate(ens, sets, { jobs: 1, domainGateMinProbs: [1e-9, 2] });
      const [all, none] = r.domainGate!.curve;
      expect(r.domainGate!.fallback).toEqual({ kind: 'full' });
      expect(none.gated.share).toBe(0);
      expect([none.overall.accuracy, none.cost]).toEqual([r.selection.overall.accuracy, 1]);
      expect(none.wer.wer).toBe(r.systems.find((s) => s.id === 'ensemble')!.overall.wer);
      expect(all.gated.share).toBe(1);
      expect(all.cost).toBeCloseTo(1 / 2, 12);
      expect(all.overall.accuracy).toBe(1);
      for (const u of r.perUtterance) expect(u.gate!.text).toBe(u.greedy[u.gate!.chosen]);
    } finally {
      await ens.dispose();
    }
  });
});
