/**
 * Small confidence ensembles of test-built ONNX tone models (tests/helpers/onnx-builder.ts) with
 * distinguishable behaviour: domain d's audio uses two tones of its own; model d has one token per tone
 * of its domain (confident: one token takes the probability) but two tokens per tone of every other
 * domain (uncertain: two equal logits split the probability). So model d is confident on domain d only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { toneFrequencies, writeNemoToneModel } from './onnx-builder.js';
import { noise, synthesizeTones, writeWavFile } from './wav.js';

export interface FixtureDomain {
  name: string;
  /** The two tokens of this domain (what its model prints for its tones). */
  tokens: [string, string];
  modelDir: string;
  train: string;
  dev: string;
  test: string;
  /** Expected transcript of each test utterance, in manifest order. */
  testTexts: string[];
  testFiles: string[];
}

export interface Fixture {
  root: string;
  domains: FixtureDomain[];
  frequencies: Map<string, number>;
}

const LETTERS = 'abcdefghijklmnop';

/** Deterministic pseudo-random token sequence. */
function sequence(tokens: readonly string[], n: number, seed: number): string[] {
  let s = seed * 2654435761 + 12345;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.push(tokens[(s >>> 16) % tokens.length]);
  }
  return out;
}

export function makeFixture(
  root: string,
  opts: {
    domains: number;
    train?: number;
    dev?: number;
    test?: number;
    /** Models with a 64-mel front end (a second front-end configuration). */ mel64?: number[];
  } = { domains: 2 },
): Fixture {
  const D = opts.domains;
  const freqs = toneFrequencies(2 * D, 400);
  const frequencies = new Map<string, number>();
  const domains: FixtureDomain[] = [];
  for (let d = 0; d < D; d++) {
    const tokens: [string, string] = [LETTERS[2 * d], LETTERS[2 * d + 1]];
    frequencies.set(tokens[0], freqs[2 * d]);
    frequencies.set(tokens[1], freqs[2 * d + 1]);
    domains.push({ name: `dom${d}`, tokens, modelDir: '', train: '', dev: '', test: '', testTexts: [], testFiles: [] });
  }
  // Models
  for (let d = 0; d < D; d++) {
    const vocabulary: string[] = [];
    const vf: number[] = [];
    for (let e = 0; e < D; e++) {
      for (let k = 0; k < 2; k++) {
        const tok = LETTERS[2 * e + k];
        const f = freqs[2 * e + k];
        if (e !== d) {
          // a twin token first: same tone, same logit; the argmax (first maximum) prints the twin, so a
          // wrongly chosen model shows up in the transcript as upper case
          vocabulary.push(tok.toUpperCase());
          vf.push(f);
        }
        vocabulary.push(tok);
        vf.push(f);
      }
    }
    const dir = path.join(root, 'models', `model${d}`);
    const mel64 = opts.mel64?.includes(d) ?? false;
    writeNemoToneModel(dir, { vocabulary, frequencies: vf, normalize: 'none', nMels: mel64 ? 64 : 80 });
    domains[d].modelDir = dir;
  }
  // Audio + manifests
  const split = (name: 'train' | 'dev' | 'test', count: number, seedBase: number): void => {
    for (let d = 0; d < D; d++) {
      const dom = domains[d];
      const lines: string[] = [];
      for (let u = 0; u < count; u++) {
        const toks = sequence(dom.tokens, 3 + ((u * 7 + d) % 4), seedBase + 100 * d + u);
        const audio = synthesizeTones(toks, frequencies, { amp: 0.2 + 0.05 * (u % 4) });
        const nz = noise(audio.length, 0.002 + 0.001 * (u % 3), seedBase + 11 + u + 31 * d);
        for (let i = 0; i < audio.length; i++) audio[i] += nz[i];
        const rel = `wav/${name}/${dom.name}_${u}.wav`;
        writeWavFile(path.join(root, 'data', rel), audio);
        const text = toks.join('');
        lines.push(JSON.stringify({ audio_filepath: rel, duration: audio.length / 16000, text }));
        if (name === 'test') {
          dom.testTexts.push(text);
          dom.testFiles.push(path.join(root, 'data', rel));
        }
      }
      const file = path.join(root, 'data', `${dom.name}.${name}.jsonl`);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, lines.join('\n') + '\n');
      dom[name] = file;
    }
  };
  split('train', opts.train ?? 12, 1);
  split('dev', opts.dev ?? 6, 5000);
  split('test', opts.test ?? 4, 9000);
  return { root, domains, frequencies };
}

/** An ensemble YAML for the fixture (paths relative to root). */
export function fixtureYaml(
  fx: Fixture,
  extra: { dev?: boolean; maxTraining?: number; more?: string; lm?: Record<number, string>; /** Add each domain's `test_manifest`. */ test?: boolean } = {},
): string {
  const rel = (p: string) => path.relative(fx.root, p);
  const lines = ['ensemble:'];
  fx.domains.forEach((d, i) => {
    lines.push(`  - model: ${rel(d.modelDir)}`);
    lines.push(`    name: ${d.name}`);
    lines.push(`    training_manifest: ${rel(d.train)}`);
    if (extra.maxTraining) lines.push(`    max_training_samples: ${extra.maxTraining}`);
    if (extra.dev) lines.push(`    dev_manifest: ${rel(d.dev)}`);
    if (extra.lm?.[i]) lines.push(`    lm: ${extra.lm[i]}`);
    if (extra.test) lines.push(`    test_manifest: ${rel(d.test)}`);
  });
  lines.push('output_path: out/ensemble.nemo');
  if (extra.more) lines.push(extra.more);
  return lines.join('\n') + '\n';
}
