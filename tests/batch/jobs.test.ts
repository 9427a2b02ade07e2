// Pure parts of the batch queue (no Redis): job identity, option canonicalisation, names and URLs, ensemble identity.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRedisUrl, redactUrl } from '../../src/batch/connection.js';
import { ensembleIdentity } from '../../src/batch/identity.js';
import { canonicalOptions, checkBatchName, isUrl, jobDataOf, jobIdOf } from '../../src/batch/jobs.js';
import { parseManifestLine } from '../../src/ensemble/manifest.js';
import { buildTinyEnsemble, type TinyEnsemble } from '../helpers/tiny-ensemble.js';

describe('job identity', () => {
  const id = (
    o: Partial<{ name: string; audio: string; offset: number | null; duration: number | null; options: Record<string, unknown>; ens: string }> = {},
  ) => jobIdOf(o.name ?? 'b', o.audio ?? '/a.wav', o.offset ?? null, o.duration ?? null, o.options ?? {}, o.ens ?? 'e1');

  it('is deterministic and a valid BullMQ custom id', () => {
    expect(id()).toBe(id());
    expect(id()).toMatch(/^u[0-9a-f]{32}$/);
  });

  it('differs by batch, audio, offset, duration, options and ensemble; not by option order or false/undefined options', () => {
    const all = [id(), id({ name: 'c' }), id({ audio: '/b.wav' }), id({ offset: 1 }), id({ duration: 2 }), id({ options: { lm: true } }), id({ ens: 'e2' })];
    expect(new Set(all).size).toBe(all.length);
    expect(id({ options: { lm: true, beam: 8 } })).toBe(id({ options: { beam: 8, lm: true } }));
    expect(id({ options: { lm: false, all: undefined } })).toBe(id());
    expect(canonicalOptions({ b: 1, a: true, c: false, d: undefined })).toEqual({ a: true, b: 1 });
    expect(Object.keys(canonicalOptions({ z: 1, a: 2 }))).toEqual(['a', 'z']);
  });

  it('jobs carry the absolute path or the URL, never the bytes', () => {
    // NeMo's path rule: beside the manifest when the file is there, else as written from the working directory.
    const local = parseManifestLine(JSON.stringify({ audio_filepath: 'x/a.wav', duration: 1.5, text: 'hi', offset: 0.5 }), 3, '/data/m.jsonl')!;
    const d = jobDataOf('b', local, {}, 'e1');
    expect(d).toMatchObject({ audio: path.resolve('x/a.wav'), audioFilepath: 'x/a.wav', duration: 1.5, offset: 0.5, text: 'hi', line: 3, ensembleId: 'e1' });
    expect(d.audioBase64).toBeUndefined();
    const remote = parseManifestLine(JSON.stringify({ audio_filepath: 'https://h/a.wav' }), 1, '/data/m.jsonl')!;
    expect(jobDataOf('b', remote, {}, 'e1').audio).toBe('https://h/a.wav');
    expect(() => parseManifestLine(JSON.stringify({ audio_filepath: 'a.wav', offset: -1 }), 1, '/data/m.jsonl')).toThrow(
      /"offset" must be a non-negative number/,
    );
  });
});

describe('names and URLs', () => {
  it('checks batch names', () => {
    expect(checkBatchName('calls-2026.11_a')).toBe('calls-2026.11_a');
    expect(() => checkBatchName(undefined)).toThrow(/--name JOB is required/);
    for (const bad of ['a:b', '-x', 'a b', 'x'.repeat(101)]) expect(() => checkBatchName(bad)).toThrow(/--name must be/);
  });

  it('checks and redacts Redis URLs', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(() => parseRedisUrl('http://h:1')).toThrow(/must start with redis:\/\/ or rediss:\/\//);
    expect(() => parseRedisUrl('not a url')).toThrow(/must be a URL/);
    expect(() => parseRedisUrl(undefined)).toThrow(/--redis URL is required/);
    expect(redactUrl('redis://:secret@h:1/2')).toBe('redis://:***@h:1/2');
    expect(isUrl('HTTPS://x')).toBe(true);
    expect(isUrl('/x.wav')).toBe(false);
  });
});

describe('ensemble identity', () => {
  let tiny: TinyEnsemble;
  beforeAll(async () => {
    tiny = await buildTinyEnsemble();
  }, 120_000);

  it('is the same for a copy, and changes with ensemble.json or a model file', async () => {
    const a = await ensembleIdentity(tiny.dir);
    expect(a).toMatch(/^[0-9a-f]{24}$/);
    const copy = path.join(tiny.fx.root, 'copy');
    cpSync(tiny.dir, copy, { recursive: true });
    expect(await ensembleIdentity(copy)).toBe(a);
    const file = path.join(copy, 'ensemble.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"createdAt": "[^"]*"/, '"createdAt": "1999-01-01T00:00:00Z"'));
    expect(await ensembleIdentity(copy)).not.toBe(a);
    const onnx = path.join(tiny.fx.domains[0].modelDir, 'model.onnx');
    const bytes = readFileSync(onnx);
    writeFileSync(onnx, Buffer.concat([bytes, Buffer.from([0])]));
    try {
      expect(await ensembleIdentity(tiny.dir)).not.toBe(a);
    } finally {
      writeFileSync(onnx, bytes);
    }
  });
});
