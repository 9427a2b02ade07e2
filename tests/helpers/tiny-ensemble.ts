/**
 * A real two-member ensemble for the server and eval tests: the tone models and audio of
 * tests/helpers/ensemble-fixture.ts, built with `buildEnsemble` into a temporary folder.
 * Member `dom0` prints the letters a/b, `dom1` c/d; each is confident only on its own domain's tones.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildEnsemble } from '../../src/ensemble/build.js';
import { fixtureYaml, makeFixture, type Fixture } from './ensemble-fixture.js';
import { synthesizeTones } from './wav.js';
import { encodeWav } from '../../src/audio/wav.js';

export interface TinyEnsemble {
  fx: Fixture;
  /** Folder with ensemble.json. */
  dir: string;
}

export async function buildTinyEnsemble(
  options: { test?: number; lm?: Record<number, string>; /** Put each domain's test manifest in the YAML (`test_manifest`). */ testManifests?: boolean } = {},
): Promise<TinyEnsemble> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tiny-ens-'));
  const fx = makeFixture(root, { domains: 2, train: 10, dev: 2, test: options.test ?? 4 });
  const yaml = path.join(root, 'ensemble.yaml');
  writeFileSync(yaml, fixtureYaml(fx, { lm: options.lm, test: options.testManifests }));
  const built = await buildEnsemble(yaml, { outDir: path.join(root, 'ensemble'), progress: false, log: () => undefined });
  return { fx, dir: built.outDir };
}

/** 16-bit WAV bytes of a token sequence in the fixture's tones (e.g. "abba" → member dom0). */
export function toneWav(fx: Fixture, text: string, rate = 16000): Uint8Array {
  return encodeWav(synthesizeTones([...text], fx.frequencies, { amp: 0.3, sampleRate: rate }), rate);
}
