import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import path from 'node:path';
import { buildArpa, parseMemorySize } from '../../src/lm/build.js';
import { RowSorter } from '../../src/lm/sort.js';
import { cliPath, ensureBuilt, runCli } from '../helpers/cli.js';
import { rng, zipfCorpus } from '../helpers/random.js';
import { sharedAvailable, sharedPath } from '../helpers/shared.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lm-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FALLBACK = [0.5, 1, 1.5] as const;

describe('bounded-memory estimation', () => {
  it('parses sizes as lmplz -S (no suffix = KiB, % of physical memory)', () => {
    expect(parseMemorySize('1G')).toBe(2 ** 30);
    expect(parseMemorySize('500M')).toBe(500 * 2 ** 20);
    expect(parseMemorySize('64')).toBe(64 * 1024);
    expect(parseMemorySize('100b')).toBe(100);
    expect(parseMemorySize('80%', 1000)).toBe(800);
    expect(() => parseMemorySize('lots')).toThrow(/--memory: expected a size/);
    expect(() => parseMemorySize('0')).toThrow(/positive/);
  });

  it('sorts and combines rows across many spilled runs (more than one merge pass)', () => {
    const sortDir = mkdtempSync(path.join(dir, 'sort-'));
    const s = new RowSorter({ width: 3, keyWidth: 2, sumColumn: 2, memoryBytes: 1, dir: sortDir, name: 't' });
    const next = rng(7);
    const expected = new Map<string, number>();
    const row = new Uint32Array(3);
    for (let i = 0; i < 200_000; i++) {
      row[0] = Math.floor(next() * 50);
      row[1] = Math.floor(next() * 70_000);
      row[2] = 1 + Math.floor(next() * 3);
      const key = `${row[0]} ${row[1]}`;
      expected.set(key, (expected.get(key) ?? 0) + row[2]);
      s.push(row);
    }
    expect(readdirSync(sortDir).length).toBeGreaterThan(64); // > MERGE_FANIN runs
    const r = s.finish();
    let prev = [-1, -1];
    let n = 0;
    for (let x = r.next(); x; x = r.next()) {
      if (!(x[0] > prev[0] || (x[0] === prev[0] && x[1] > prev[1]))) throw new Error(`out of order at row ${n}`);
      if (x[2] !== expected.get(`${x[0]} ${x[1]}`)) throw new Error(`wrong sum at row ${n}`);
      prev = [x[0], x[1]];
      n++;
    }
    r.close();
    expect(n).toBe(expected.size);
    expect(readdirSync(sortDir)).toEqual([]); // runs removed as they were read
  });

  it.each([2, 3, 5])('order %i: a corpus forced to spill gives byte-identical ARPA to the in-memory build', async (order) => {
    const corpus = path.join(dir, `zipf-${order}.txt`);
    writeFileSync(corpus, zipfCorpus(order === 2 ? 40_000 : 8000, 5000, order));
    const tmpDir = mkdtempSync(path.join(dir, 'T-'));
    const a = await buildArpa(corpus, path.join(dir, `mem-${order}.arpa`), { order, discountFallback: FALLBACK, memoryBytes: 2 ** 30 });
    const b = await buildArpa(corpus, path.join(dir, `disk-${order}.arpa`), {
      order,
      discountFallback: FALLBACK,
      memoryBytes: 64 * 1024,
      tempDir: tmpDir,
    });
    expect(a.spilled).toBe(false);
    expect(b.spilled).toBe(true);
    expect(b.counts).toEqual(a.counts);
    const mem = readFileSync(path.join(dir, `mem-${order}.arpa`));
    const disk = readFileSync(path.join(dir, `disk-${order}.arpa`));
    expect(disk.length).toBe(mem.length);
    expect(disk.equals(mem)).toBe(true);
    expect(readdirSync(tmpDir)).toEqual([]); // spill folder removed
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('pruning and a vocabulary limit give the same bytes in memory and spilled', async () => {
    const corpus = path.join(dir, 'zipf-prune.txt');
    writeFileSync(corpus, zipfCorpus(8000, 5000, 4));
    const limitVocab = new Set(Array.from({ length: 2000 }, (_, i) => `w${2 * i + 1}`));
    for (const opts of [{ prune: [0, 0, 1, 2] }, { limitVocab }, { prune: [0, 1, 1, 1], limitVocab }]) {
      const a = await buildArpa(corpus, path.join(dir, 'pm.arpa'), { order: 4, discountFallback: FALLBACK, memoryBytes: 2 ** 30, ...opts });
      const b = await buildArpa(corpus, path.join(dir, 'pd.arpa'), { order: 4, discountFallback: FALLBACK, memoryBytes: 64 * 1024, ...opts });
      expect([a.spilled, b.spilled]).toEqual([false, true]);
      expect(b.counts).toEqual(a.counts);
      expect(readFileSync(path.join(dir, 'pd.arpa')).equals(readFileSync(path.join(dir, 'pm.arpa')))).toBe(true);
    }
  }, 120_000);

  it('a corpus read as bytes: invalid UTF-8 words are the words of their decoded text (as when it was read as a string)', async () => {
    // words with invalid sequences, U+FFFD itself, a BOM, NUL / CR / tab delimiters, no final newline
    const raw = Buffer.concat([
      Buffer.from(zipfCorpus(400, 50, 3)),
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('w1 w2\n'),
      Buffer.from([0x77, 0x31, 0xff, 0x20, 0xe2, 0x82, 0x20, 0xef, 0xbf, 0xbd, 0x0a]),
      Buffer.from('w3\x00w1\rw2\tw4 \xe9\n\nw1 '),
      Buffer.from([0xe2, 0x82, 0xac, 0x20, 0xe2, 0x82]),
    ]);
    const bytesFile = path.join(dir, 'raw-bytes.txt');
    const textFile = path.join(dir, 'decoded.txt');
    writeFileSync(bytesFile, raw);
    writeFileSync(textFile, new StringDecoder('utf8').end(raw), 'utf8');
    await buildArpa(bytesFile, path.join(dir, 'raw.arpa'), { order: 3, discountFallback: FALLBACK });
    await buildArpa(textFile, path.join(dir, 'decoded.arpa'), { order: 3, discountFallback: FALLBACK });
    const arpa = readFileSync(path.join(dir, 'raw.arpa'));
    expect(arpa.equals(readFileSync(path.join(dir, 'decoded.arpa')))).toBe(true);
    const text = arpa.toString('utf8');
    expect(text).toContain('\tw1\ufffd\t'); // "w1\xff" as w1 + U+FFFD
    expect(text).toContain('\t\ufeffw1 w2\t'); // the BOM stays part of the first word
    expect(text.match(/\t\ufffd\t/g)).toHaveLength(1); // "\xe2\x82" and "\xef\xbf\xbd" are one word
  });

  it('an error mid-way (a <s> in the corpus after spilling) leaves no temp files', async () => {
    const corpus = path.join(dir, 'bad.txt');
    writeFileSync(corpus, zipfCorpus(15_000, 5000, 9) + 'a <s> b\n');
    const tmpDir = mkdtempSync(path.join(dir, 'T-'));
    const out = path.join(dir, 'bad-out', 'x.arpa');
    await expect(buildArpa(corpus, out, { order: 3, memoryBytes: 64 * 1024, tempDir: tmpDir })).rejects.toThrow(/bad\.txt:15001: special word <s>/);
    expect(readdirSync(tmpDir)).toEqual([]);
    expect(readdirSync(path.dirname(out))).toEqual([]);
  });

  it.skipIf(!sharedAvailable)('en golden corpus, order 4: spilled build is byte-identical to the in-memory one', async () => {
    const corpus = sharedPath('golden', 'kenlm', 'corpus', 'en.train.txt');
    await buildArpa(corpus, path.join(dir, 'en-mem.arpa'), { order: 4, memoryBytes: 2 ** 31 });
    const r = await buildArpa(corpus, path.join(dir, 'en-disk.arpa'), { order: 4, memoryBytes: 4 * 2 ** 20 });
    expect(r.spilled).toBe(true);
    expect(readFileSync(path.join(dir, 'en-disk.arpa')).equals(readFileSync(path.join(dir, 'en-mem.arpa')))).toBe(true);
  }, 120_000);
});

describe('ensemble lm build / score: inputs and outputs checked up front, no temp files left', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 300_000);

  const oneLine = (stderr: string) => stderr.trim().split('\n');

  it('reads the corpus from stdin with "-"', async () => {
    const text = zipfCorpus(300, 100, 3);
    const out = path.join(dir, 'stdin.arpa');
    const r = await runCli(['lm', 'build', '-', '--order', '3', '-o', out, '--discount-fallback'], { input: text });
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(dir, 'stdin-corpus.txt');
    writeFileSync(file, text);
    const r2 = await runCli(['lm', 'build', file, '--order', '3', '-o', path.join(dir, 'file.arpa'), '--discount-fallback']);
    expect(r2.code, r2.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(path.join(dir, 'file.arpa'), 'utf8'));
    const help = await runCli(['lm', 'build', '--help']);
    expect(help.stdout).toMatch(/"-" reads stdin/);
  });

  it('a directory or missing corpus, -o at a directory or in an unwritable folder, lm score on a directory: exit 2, one line naming the path', async () => {
    const corpus = path.join(dir, 'ok.txt');
    writeFileSync(corpus, 'a b c\n');
    const arpa = path.join(dir, 'ok.arpa');
    writeFileSync(arpa, '\\data\\\nngram 1=3\nngram 2=1\n\n\\1-grams:\n-1\t<unk>\t0\n0\t<s>\t0\n-0.5\t</s>\t0\n\n\\2-grams:\n-0.1\t<s> </s>\n\n\\end\\\n');
    const cases: Array<[string[], string]> = [
      [['lm', 'build', dir, '--order', '3', '-o', path.join(dir, 'x.arpa')], `${dir}: cannot read the corpus: is a directory`],
      [['lm', 'build', path.join(dir, 'nope.txt'), '--order', '3', '-o', path.join(dir, 'x.arpa')], 'nope.txt: cannot read the corpus: no such file'],
      [['lm', 'build', corpus, '--order', '3', '-o', dir], `${dir}: cannot write the output: is a directory`],
      [['lm', 'score', '--lm', arpa, dir], `${dir}: cannot read the input: is a directory`],
      [['lm', 'score', '--lm', dir], `${dir}: cannot read the language model: is a directory`],
      [['lm', 'build', corpus, '--order', '3', '-o', path.join(dir, 'x.arpa'), '--memory', 'lots'], '--memory: expected a size'],
      [['lm', 'build', corpus, '--order', '3', '-o', path.join(dir, 'x.arpa'), '--prune', '0', '2', '1'], '--prune: thresholds must be non-decreasing'],
      [['lm', 'build', corpus, '--order', '3', '-o', path.join(dir, 'x.arpa'), '-T', path.join(dir, 'no-such-dir')], '-T: cannot use the temporary folder'],
      [['lm', 'compile', arpa, '-o', dir], `${dir}: cannot write the output: is a directory`],
      [['lm', 'compile', dir, '-o', path.join(dir, 'x.bin')], `${dir}: cannot read the ARPA file: is a directory`],
    ];
    if (process.getuid?.() !== 0) {
      const ro = path.join(dir, 'read-only');
      mkdirSync(ro, { mode: 0o555 });
      cases.push([['lm', 'build', corpus, '--order', '3', '-o', path.join(ro, 'x.arpa')], `${ro}: cannot write the output: the folder is not writable`]);
    }
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(oneLine(r.stderr)).toHaveLength(1);
      expect(r.stderr).toContain(message);
    }
  });

  it('a FIFO nobody writes to is reported after a timeout', async () => {
    const fifo = path.join(dir, 'fifo');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return;
    const t0 = Date.now();
    const r = await runCli(['lm', 'build', fifo, '--order', '3', '-o', path.join(dir, 'f.arpa')], { env: { ENSEMBLE_FIFO_TIMEOUT_MS: '500' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${fifo}: cannot read the corpus: a FIFO that nothing wrote to`);
    expect(Date.now() - t0).toBeLessThan(20_000);
    // with a writer it reads the data
    const writer = spawn('sh', ['-c', `printf 'a b\\na b\\nb\\n' > '${fifo}'`]);
    const r2 = await runCli(['lm', 'build', fifo, '--order', '2', '-o', path.join(dir, 'f.arpa'), '--discount-fallback'], {
      env: { ENSEMBLE_FIFO_TIMEOUT_MS: '10000' },
    });
    writer.kill();
    expect(r2.code, r2.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'f.arpa'), 'utf8')).toContain('ngram 2=4');
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s during a spilling build removes the spill folder and the output temp file', async (signal) => {
    const corpus = path.join(dir, 'big.txt');
    if (!existsSync(corpus)) writeFileSync(corpus, zipfCorpus(60_000, 20_000, 11));
    const tmpDir = mkdtempSync(path.join(dir, 'T-'));
    const outDir = mkdtempSync(path.join(dir, 'out-'));
    const child = spawn(
      process.execPath,
      [cliPath, 'lm', 'build', corpus, '--order', '5', '-o', path.join(outDir, 'big.arpa'), '--memory', '2M', '-T', tmpDir, '--discount-fallback'],
      { stdio: 'ignore' },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    const deadline = Date.now() + 60_000;
    while (readdirSync(tmpDir).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(tmpDir).length).toBe(1); // the spill folder exists
    await new Promise((r) => setTimeout(r, 300));
    child.kill(signal);
    expect(await exited).toBe(signal); // re-raised: exits by the signal
    expect(readdirSync(tmpDir)).toEqual([]);
    expect(readdirSync(outDir)).toEqual([]);
  }, 90_000);

  it('stale temp files of a killed run (its pid gone) are swept by the next build', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const pid = Number(dead.stdout);
    const tmpDir = mkdtempSync(path.join(dir, 'T-'));
    const outDir = mkdtempSync(path.join(dir, 'out-'));
    const out = path.join(outDir, 'm.arpa');
    mkdirSync(path.join(tmpDir, `ctc-lm-build-${pid}-0123abcd`));
    writeFileSync(path.join(tmpDir, `ctc-lm-build-${pid}-0123abcd`, 'count3.0.run'), 'x');
    writeFileSync(`${out}.${pid}.89abcdef.tmp`, 'half');
    writeFileSync(path.join(outDir, 'unrelated.tmp'), 'keep');
    const corpus = path.join(dir, 'ok2.txt');
    writeFileSync(corpus, zipfCorpus(100, 50, 5));
    const r = await runCli(['lm', 'build', corpus, '--order', '3', '-o', out, '-T', tmpDir, '--discount-fallback']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(tmpDir)).toEqual([]);
    expect(readdirSync(outDir).sort()).toEqual(['m.arpa', 'unrelated.tmp']);
  });
});
