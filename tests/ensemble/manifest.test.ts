import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest, parseManifest, pythonLines, requireWholeFiles, subsampleManifest } from '../../src/ensemble/manifest.js';
import { PyRandom } from '../../src/ensemble/pyrandom.js';
import { UserError } from '../../src/util/errors.js';

describe('PyRandom = CPython random (MT19937, seed(int), getrandbits, sample)', () => {
  it('random.seed(0); random.sample(range(2000), 10)  (set-based selection)', () => {
    // /usr/bin/python3 -c "import random; random.seed(0); print(random.sample(range(2000), 10))"
    expect(new PyRandom(0).sampleIndices(2000, 10)).toEqual([1729, 788, 1552, 1823, 861, 82, 530, 1977, 1047, 995]);
  });
  it('random.seed(0); random.sample(range(30), 10)  (pool-based selection)', () => {
    // /usr/bin/python3 -c "import random; random.seed(0); print(random.sample(range(30), 10))"
    expect(new PyRandom(0).sampleIndices(30, 10)).toEqual([27, 12, 24, 13, 1, 8, 16, 15, 28, 9]);
  });
  it('shares one state across sequential samples (as NeMo does across manifests)', () => {
    // python3 -c "import random; random.seed(0); a=random.sample(range(50),20); b=random.sample(range(3000),5); print(a,b)"
    const r = new PyRandom(0);
    expect(r.sampleIndices(50, 20)).toEqual([24, 48, 26, 2, 16, 32, 31, 25, 19, 30, 22, 37, 13, 44, 8, 18, 35, 6, 45, 29]);
    expect(r.sampleIndices(3000, 5)).toEqual([2181, 2888, 2465, 601, 1270]);
  });
  it('big and negative seeds, getrandbits > 32, random()', () => {
    // python3 -c "import random; random.seed(12345678901234); print(random.sample(range(100000), 8))"
    expect(new PyRandom(12345678901234n).sampleIndices(100000, 8)).toEqual([3282, 73345, 19048, 55862, 69446, 53098, 94150, 64721]);
    // python3 -c "import random; random.seed(-5); print(random.sample(range(7),7))"
    expect(new PyRandom(-5).sampleIndices(7, 7)).toEqual([4, 2, 5, 0, 1, 3, 6]);
    // python3 -c "import random; random.seed(0); print(random.getrandbits(40), random.random())"
    const r = new PyRandom(0);
    expect(r.getrandbits(40)).toBe(424533559245);
    expect(r.random()).toBe(0.7579544029403025);
  });
  it('sample() rejects k > n like Python', () => {
    expect(() => new PyRandom(0).sampleIndices(3, 4)).toThrow(/Sample larger than population/);
  });
});

describe('manifests', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'manifest-'));
  mkdirSync(path.join(dir, 'wav'));
  for (const n of ['a', 'b', 'c']) writeFileSync(path.join(dir, 'wav', `${n}.wav`), 'x');

  it('parses NeMo JSONL; relative paths resolve against the manifest folder; text optional', () => {
    const file = path.join(dir, 'm.jsonl');
    const m = parseManifest(
      [
        '{"audio_filepath": "wav/a.wav", "duration": 1.5, "text": "hello"}',
        '',
        `{"audio_filepath": "${path.join(dir, 'wav', 'b.wav')}"}`,
        '{"audio_filepath": "wav/c.wav", "duration": 2, "text": null}',
      ].join('\n') + '\n',
      file,
    );
    expect(m.lineCount).toBe(4);
    expect(m.entries.map((e) => [e.audioPath, e.duration, e.text, e.line])).toEqual([
      [path.join(dir, 'wav', 'a.wav'), 1.5, 'hello', 1],
      [path.join(dir, 'wav', 'b.wav'), null, null, 3],
      [path.join(dir, 'wav', 'c.wav'), 2, null, 4],
    ]);
    expect(m.entries[0].audioFilepath).toBe('wav/a.wav');
  });

  it('a bad line is an error with file:line', () => {
    const bad = (text: string): string => {
      try {
        parseManifest(text, '/x/m.jsonl');
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(bad('{"audio_filepath": "a.wav"}\n{"audio_filepath": "b.wav",}\n')).toMatch(/^\/x\/m\.jsonl:2: not valid JSON/);
    expect(bad('{"audio_filepath": "a.wav"}\n\n[1,2]\n')).toMatch(/^\/x\/m\.jsonl:3: each line must be a JSON object/);
    expect(bad('{"duration": 1}\n')).toMatch(/^\/x\/m\.jsonl:1: missing "audio_filepath"/);
    expect(bad('{"audio_filepath": "a.wav", "duration": "long"}\n')).toMatch(/^\/x\/m\.jsonl:1: "duration" must be a non-negative number/);
    expect(bad('{"audio_filepath": "a.wav", "text": 5}\n')).toMatch(/^\/x\/m\.jsonl:1: "text" must be a string/);
  });

  it('missing audio files are all listed in one error', async () => {
    const file = path.join(dir, 'missing.jsonl');
    writeFileSync(file, ['a', 'nope1', 'b', 'nope2'].map((n) => JSON.stringify({ audio_filepath: `wav/${n}.wav` })).join('\n'));
    const e = await loadManifest(file).catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toMatch(/2 audio file\(s\) not found/);
    expect(e.message).toMatch(/line 2: wav\/nope1\.wav \(neither .*manifest-.*\/wav\/nope1\.wav nor .*nope1\.wav\)/);
    expect(e.message).toMatch(/line 4: .*nope2\.wav/);
    expect((await loadManifest(file, { checkAudio: false })).entries).toHaveLength(4);
  });

  it('custom audio/text keys (NeMo audio_key, gt_text_attr_name)', () => {
    const m = parseManifest('{"wav": "a.wav", "ref": "hi"}\n', '/x/m.jsonl', { audioKey: 'wav', textKey: 'ref', cwd: '/w' });
    expect(m.entries[0]).toMatchObject({ audioPath: '/w/a.wav', text: 'hi' });
  });

  it('issue 14.15: audio paths as NeMo resolves them: beside the manifest if there, else as written from the cwd, ~ expanded', () => {
    const other = mkdtempSync(path.join(os.tmpdir(), 'manifest-cwd-'));
    mkdirSync(path.join(other, 'clips'));
    writeFileSync(path.join(other, 'clips', 'x.wav'), 'x');
    const file = path.join(dir, 'm2.jsonl');
    const lines = ['wav/a.wav', 'clips/x.wav', '~/corpus/y.wav', path.join(other, 'clips', 'x.wav')].map((p) => JSON.stringify({ audio_filepath: p }));
    const m = parseManifest(lines.join('\n'), file, { cwd: other });
    expect(m.entries.map((e) => e.audioPath)).toEqual([
      path.join(dir, 'wav', 'a.wav'), // beside the manifest
      path.join(other, 'clips', 'x.wav'), // not beside it: from the working directory
      path.join(process.env.HOME ?? os.homedir(), 'corpus', 'y.wav'),
      path.join(other, 'clips', 'x.wav'),
    ]);
    expect(m.entries[1].audioFilepath).toBe('clips/x.wav');
  });

  it('pythonLines splits like readlines()', () => {
    expect(pythonLines('a\nb\r\nc\rd')).toEqual(['a\n', 'b\r\n', 'c\r', 'd']);
    expect(pythonLines('a\n')).toEqual(['a\n']);
  });

  it('subsampling picks the lines random.sample(lines, k) picks; short manifests keep file order', () => {
    const text = Array.from({ length: 12 }, (_, i) => JSON.stringify({ audio_filepath: `u${i}.wav` })).join('\n') + '\n';
    const m = parseManifest(text, '/x/m.jsonl');
    const text2 = Array.from({ length: 9 }, (_, i) => JSON.stringify({ audio_filepath: `v${i}.wav` })).join('\n') + '\n';
    const m2 = parseManifest(text2, '/x/n.jsonl');
    const rng = new PyRandom(0);
    const pick = (n: number, k: number): number[] => rng.sampleIndices(n, k);
    // python3 -c "import random; random.seed(0); print(random.sample(range(12), 4), random.sample(range(9), 3))"
    expect(subsampleManifest(m, 4, pick).map((e) => e.audioFilepath)).toEqual(['u6.wav', 'u11.wav', 'u0.wav', 'u4.wav']);
    expect(subsampleManifest(m2, 3, pick).map((e) => e.audioFilepath)).toEqual(['v8.wav', 'v7.wav', 'v3.wav']);
    expect(subsampleManifest(m, 12, pick).map((e) => e.audioFilepath)).toEqual(m.entries.map((e) => e.audioFilepath));
  });
});

describe('requireWholeFiles (build and tune-lm read whole files)', () => {
  it('passes whole-file entries (duration informational, offset 0) and refuses the first span by line', () => {
    const whole = parseManifest('{"audio_filepath": "a.wav", "duration": 2.5}\n{"audio_filepath": "b.wav", "offset": 0, "duration": 1}\n', '/x/m.jsonl');
    expect(() => requireWholeFiles(whole, 'tune-lm')).not.toThrow();
    const spans = parseManifest(
      '{"audio_filepath": "a.wav"}\n{"audio_filepath": "b.wav", "offset": 0}\n{"audio_filepath": "c.wav", "offset": 3}\n',
      '/x/m.jsonl',
    );
    expect(() => requireWholeFiles(spans, 'tune-lm')).toThrow(UserError);
    expect(() => requireWholeFiles(spans, 'tune-lm')).toThrow(/m\.jsonl:3: "offset" 3: tune-lm reads whole audio files/);
  });
});
