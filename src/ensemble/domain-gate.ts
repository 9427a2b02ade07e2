/**
 * The domain gate (beyond NeMo): spoken-domain identification before any member runs, in the manner of
 * Whisper's language detection or sherpa-onnx's spoken language identification, but with no model of its own:
 * a logistic regression over the input's detailed acoustic signature (`features/acoustic-summary.ts`,
 * `detailFeatures()`: ln duration, high-band share, per 20-band log-mel shape, spread and frame-to-frame change)
 * computed on the whole input. When its top probability
 * reaches the floor (`--domain-gate P`), only that member runs, on the whole input (cost 1/M of full routing);
 * otherwise the input takes the configured path (early routing and/or full routing) as if there were no gate.
 * With pruning (`--domain-gate-prune E`), such an input runs only the members the gate gives at least E and the
 * selector chooses among them (`Ensemble.selectAmong`).
 *
 * Trained by `ensemble build` (YAML `domain_gate: true`, or `ensemble build --domain-gate-only` for an
 * existing ensemble) on the selector's training utterances and labels, LR settings tuned and probabilities
 * temperature-scaled on its dev utterances, exactly as the selector is; stored beside `ensemble.json` as
 * `domain-gate.json` (`DOMAIN_GATE_FORMAT`). Version 2 reads the detailed signature (`inputs.kind`
 * `acoustic-detail`); version-1 gates, on the selector's 22-value summary (`acoustic-summary`), are still read and
 * used as they were trained. Whole inputs, not prefixes: on the demo's dev sets a
 * gate on the first 0.5 / 1 / 1.5 s identified fewer inputs at every accuracy (README "Domain gate").
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  ACOUSTIC_DETAIL,
  ACOUSTIC_SUMMARY,
  AcousticSummary,
  acousticDetailFeatureNames,
  acousticFeatureNames,
  type AcousticLogMel,
} from '../features/acoustic-summary.js';
import { Selector, type SelectorJSON } from '../selector/index.js';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';

export const DOMAIN_GATE_FILE = 'domain-gate.json';
export const DOMAIN_GATE_FORMAT = 'ctc-ensemble/domain-gate';
export const DOMAIN_GATE_VERSION = 2;

/** What a gate reads: version 1 the selector's acoustic summary, version 2 the detailed signature. */
export type DomainGateInputKind = 'acoustic-summary' | 'acoustic-detail';

/** The column names and version of each input kind. */
export function domainGateInputs(kind: DomainGateInputKind): { kind: DomainGateInputKind; version: number; names: string[] } {
  return kind === 'acoustic-detail'
    ? { kind, version: ACOUSTIC_DETAIL.version, names: acousticDetailFeatureNames() }
    : { kind, version: ACOUSTIC_SUMMARY.version, names: acousticFeatureNames() };
}

/** What the gate scored on its dev utterances at a few floors (for `describe` and the README). */
export interface DomainGatePoint {
  minProbability: number;
  /** Share of dev utterances the gate decides (top probability ≥ the floor). */
  coverage: number;
  /** Accuracy on those; null when none. */
  accuracy: number | null;
}

export interface DomainGateJSON {
  format: typeof DOMAIN_GATE_FORMAT;
  version: number;
  createdAt: string;
  /** Member names in class order (must equal the ensemble's). */
  members: string[];
  /** The inputs: the whole input's acoustic summary (version-1 gates) or detailed signature, their version and column names. */
  inputs: { kind: DomainGateInputKind; version: number; names: string[] };
  /** Default floor for requests that set none (YAML `domain_gate_min_prob`); null: the gate is off by default. */
  defaultMinProbability: number | null;
  /** Default pruning threshold (YAML `domain_gate_prune`, 0 to below 1); absent or null: off. */
  defaultPrune?: number | null;
  /**
   * Verification floors (YAML `domain_gate_verify_false_accept`): per member (in member order) the whole-input
   * confidence (the ensemble's spec) that only the share `falseAccept` of the other domains' dev utterances reach
   * under that member. A gated input whose member scores below its floor goes on to the fallback. Absent or null:
   * the gate's decisions are final.
   */
  verify?: { falseAccept: number; floors: number[] } | null;
  /** The logistic regression (classes = member indices; `probabilityTemperature` = dev-fitted calibration). */
  selector: SelectorJSON;
  training: {
    config: string | null;
    utterances: number;
    devUtterances: number | null;
    trainAccuracy: number;
    devAccuracy: number | null;
    devCurve: DomainGatePoint[];
  };
}

/** Floors at which `domain-gate.json` records the dev coverage/accuracy. */
export const DOMAIN_GATE_REPORT_FLOORS = [0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995] as const;

/** Coverage and accuracy of gate probabilities `proba` (rows) against `labels` at floor `p` (pure). */
export function gatePoint(proba: readonly (readonly number[])[], labels: readonly number[], classes: readonly number[], p: number): DomainGatePoint {
  let n = 0;
  let ok = 0;
  proba.forEach((row, i) => {
    let k = 0;
    for (let j = 1; j < row.length; j++) if (row[j] > row[k]) k = j;
    if (row[k] >= p) {
      n++;
      if (classes[k] === labels[i]) ok++;
    }
  });
  return { minProbability: p, coverage: proba.length ? n / proba.length : 0, accuracy: n ? ok / n : null };
}

/** The gate's decision for one input. */
export interface DomainGateDecision {
  modelIndex: number;
  /** Top probability. */
  probability: number;
  /** Per member name. */
  probabilities: Record<string, number>;
  /** Milliseconds spent on the summary and the regression. */
  ms: number;
  /** The acoustic summary's values (`AcousticSummary.features()`, whatever the gate reads), for the selector to reuse. */
  acoustic: number[];
}

export class DomainGate {
  private constructor(
    readonly json: DomainGateJSON,
    readonly selector: Selector,
  ) {}

  /** Validates a parsed `domain-gate.json`; `members` are the ensemble's names; `source` names the file. */
  static fromJSON(json: unknown, members: readonly string[], source: string): DomainGate {
    const bad = (field: string, msg: string): never => {
      throw new UserError(msg, { source: field ? `${source}: ${field}` : source, code: 'E_DOMAIN_GATE_FORMAT' });
    };
    if (!json || typeof json !== 'object' || Array.isArray(json)) bad('', 'expected a JSON object');
    const o = json as Record<string, unknown>;
    if (o.format !== DOMAIN_GATE_FORMAT) bad('format', `must be "${DOMAIN_GATE_FORMAT}"`);
    if (typeof o.version !== 'number' || !Number.isInteger(o.version) || o.version < 1) bad('version', 'must be an integer ≥ 1');
    if ((o.version as number) > DOMAIN_GATE_VERSION)
      bad('version', `${String(o.version)} is newer than this program reads (${DOMAIN_GATE_VERSION}); upgrade ctc-ensemble`);
    if (!Array.isArray(o.members) || o.members.length !== members.length || o.members.some((m, i) => m !== members[i])) {
      bad(
        'members',
        `must be the ensemble's members ${members.join(', ')} (the gate was trained for ${JSON.stringify(o.members)}); rebuild it with \`ensemble build CONFIG --domain-gate-only\``,
      );
    }
    const inputs = o.inputs as Record<string, unknown> | undefined;
    if (!inputs || (inputs.kind !== 'acoustic-summary' && inputs.kind !== 'acoustic-detail'))
      bad('inputs.kind', 'must be "acoustic-detail" or "acoustic-summary"');
    const want = domainGateInputs(inputs!.kind as DomainGateInputKind);
    const names = want.names;
    if (inputs!.version !== want.version) {
      bad(
        'inputs.version',
        `the gate was trained on ${want.kind} inputs of version ${String(inputs!.version)}; this ctc-ensemble computes version ${want.version}: rebuild it with \`ensemble build CONFIG --domain-gate-only\``,
      );
    }
    if (!Array.isArray(inputs!.names) || inputs!.names.length !== names.length || inputs!.names.some((n, i) => n !== names[i])) {
      bad('inputs.names', `must be the ${names.length} ${want.kind} columns`);
    }
    const d = o.defaultMinProbability;
    if (d !== null && d !== undefined && !(typeof d === 'number' && Number.isFinite(d) && d >= 0)) bad('defaultMinProbability', 'must be a number ≥ 0 or null');
    const dp = o.defaultPrune;
    if (dp !== null && dp !== undefined && !(typeof dp === 'number' && dp >= 0 && dp < 1)) bad('defaultPrune', 'must be a number from 0 to below 1, or null');
    const v = o.verify as Record<string, unknown> | null | undefined;
    if (v !== null && v !== undefined) {
      if (typeof v !== 'object' || Array.isArray(v)) bad('verify', 'must be an object {falseAccept, floors} or null');
      if (!(typeof v.falseAccept === 'number' && v.falseAccept > 0 && v.falseAccept < 0.5)) bad('verify.falseAccept', 'must be a number above 0 and below 0.5');
      if (!Array.isArray(v.floors) || v.floors.length !== members.length || v.floors.some((f) => typeof f !== 'number' || !Number.isFinite(f))) {
        bad('verify.floors', `must be ${members.length} finite numbers (one per member)`);
      }
    }
    let selector: Selector;
    try {
      selector = Selector.fromJSON(o.selector);
    } catch (e) {
      return bad('selector', (e as Error).message);
    }
    if (selector.numFeatures !== names.length) bad('selector', `takes ${selector.numFeatures} inputs, the ${want.kind} has ${names.length}`);
    if (selector.classes.some((c) => !Number.isInteger(c) || c < 0 || c >= members.length))
      bad('selector.classes', `must be member indices 0..${members.length - 1}`);
    const j = { ...(o as unknown as DomainGateJSON), defaultMinProbability: (d as number | null | undefined) ?? null };
    return new DomainGate(j, selector);
  }

  static fromSelector(
    selector: Selector,
    members: readonly string[],
    defaultMinProbability: number | null,
    training: DomainGateJSON['training'],
    defaultPrune: number | null = null,
    kind: DomainGateInputKind = 'acoustic-detail',
    verify: DomainGateJSON['verify'] = null,
  ): DomainGate {
    const json: DomainGateJSON = {
      format: DOMAIN_GATE_FORMAT,
      version: kind === 'acoustic-summary' ? 1 : DOMAIN_GATE_VERSION,
      createdAt: new Date().toISOString(),
      members: [...members],
      inputs: domainGateInputs(kind),
      defaultMinProbability,
      ...(defaultPrune !== null ? { defaultPrune } : {}),
      ...(verify ? { verify } : {}),
      selector: selector.toJSON(),
      training,
    };
    return DomainGate.fromJSON(json, members, '<new domain gate>');
  }

  /** `DIR/domain-gate.json`, or null when the ensemble has none. */
  static async read(dir: string, members: readonly string[]): Promise<DomainGate | null> {
    const file = path.join(dir, DOMAIN_GATE_FILE);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new UserError(`cannot read: ${(e as Error).message}`, { source: file, code: 'E_DOMAIN_GATE_FORMAT', cause: e });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new UserError(`invalid JSON: ${(e as Error).message}`, { source: file, code: 'E_DOMAIN_GATE_FORMAT' });
    }
    return DomainGate.fromJSON(json, members, file);
  }

  /** Writes `DIR/domain-gate.json` atomically; returns its path. */
  async write(dir: string): Promise<string> {
    const file = path.join(dir, DOMAIN_GATE_FILE);
    await writeFileAtomic(file, `${JSON.stringify(this.json, null, 2)}\n`);
    return file;
  }

  get members(): readonly string[] {
    return this.json.members;
  }

  get defaultMinProbability(): number | null {
    return this.json.defaultMinProbability;
  }

  get defaultPrune(): number | null {
    return this.json.defaultPrune ?? null;
  }

  /** The verification floor of member `i` (its confidence below which a gated input goes on to the fallback); null: none. */
  verifyFloor(i: number): number | null {
    return this.json.verify?.floors[i] ?? null;
  }

  get inputKind(): DomainGateInputKind {
    return this.json.inputs.kind;
  }

  /** Probabilities from a row of the gate's inputs (`detailFeatures()`, or `features()` for a version-1 gate). */
  decideFeatures(row: readonly number[]): Omit<DomainGateDecision, 'ms' | 'acoustic'> {
    const proba = this.selector.predictProba([row])[0];
    const probabilities: Record<string, number> = {};
    let modelIndex = this.selector.classes[0];
    let probability = -1;
    this.json.members.forEach((n, i) => {
      const col = this.selector.classes.indexOf(i);
      const p = col >= 0 ? proba[col] : 0;
      probabilities[n] = p;
      if (p > probability) {
        probability = p;
        modelIndex = i;
      }
    });
    return { modelIndex, probability, probabilities };
  }

  /**
   * The decision for one whole input (mono samples at 16 kHz); `logMel`: their `ACOUSTIC_FRONT_END` frames when a
   * member's front end already computed them (`keepAcousticFrames`), the same values without a second mel.
   */
  decide(samples16k: Float32Array, logMel?: AcousticLogMel | null): DomainGateDecision {
    const t = performance.now();
    const detail = this.inputKind === 'acoustic-detail';
    const summary = new AcousticSummary({ detail });
    if (logMel) summary.addLogMel(samples16k.length, logMel);
    else summary.add(samples16k);
    const acoustic = summary.features();
    const d = this.decideFeatures(detail ? summary.detailFeatures() : acoustic);
    return { ...d, ms: performance.now() - t, acoustic };
  }
}
