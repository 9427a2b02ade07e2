import { createReadStream, promises as fs } from 'node:fs';
import { Option, type Command } from 'commander';
import { numberArg } from './number-options.js';
import { UserError } from '../util/errors.js';
import { emptyTextScoreTotals, loadLanguageModel, readArpaFile, writeBinaryModel } from '../lm/index.js';
import { buildArpa, checkReadableFile, checkWritableOutput, parseMemorySize } from '../lm/build.js';
import { DEFAULT_BUILD_MEMORY, DEFAULT_FALLBACK, DEFAULT_LM_LOAD, LM_LOAD_METHODS, type LmLoadMethod } from '../lm/constants.js';
import { parsePruneThresholds } from '../lm/estimate.js';
import { CORPUS_DELIMITERS } from '../lm/count.js';

const warnToStderr = (m: string) => process.stderr.write(`warning: ${m}\n`);

/** `--lm-load`: how a compiled LM is loaded (KenLM's load_method; lm/constants.ts). */
export function lmLoadOption(): Option {
  return new Option(
    '--lm-load <method>',
    'compiled LM only: lazy = return once the vocabulary is read and read the n-gram tables in the background (read on first touch meanwhile), read = read the whole file first',
  )
    .argParser((raw: string): LmLoadMethod => {
      // A UserError (one line, exit 2), as every other bad value; commander's own choice check exits 1 with its usage.
      if (!(LM_LOAD_METHODS as readonly string[]).includes(raw))
        throw new UserError(`--lm-load must be ${LM_LOAD_METHODS.join(' or ')}, got ${JSON.stringify(raw)}`);
      return raw as LmLoadMethod;
    })
    .default(DEFAULT_LM_LOAD);
}

/** `lm score` output: "total<TAB>line bytes" lines gathered into one buffer and written in large pieces. */
class LineOutput {
  private buf = Buffer.allocUnsafe(1 << 17);
  private used = 0;

  line(total: number, text: Uint8Array, start: number, end: number): void {
    const head = `${total.toFixed(6)}\t`;
    const need = head.length + (end - start) + 1;
    if (this.used + need > this.buf.length) {
      this.flush();
      if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need);
    }
    this.used += this.buf.write(head, this.used, 'latin1');
    this.buf.set(text.subarray(start, end), this.used);
    this.used += end - start;
    this.buf[this.used++] = 0x0a;
  }

  text(s: string): void {
    this.flush();
    process.stdout.write(s);
  }

  flush(): void {
    if (this.used === 0) return;
    process.stdout.write(Buffer.from(this.buf.subarray(0, this.used)));
    this.used = 0;
  }
}

export function register(program: Command): void {
  const lm = program.command('lm').description('word n-gram language models (KenLM ARPA compatible)');

  lm.command('score')
    .description(
      'score sentences (one per line, <s> … </s> added) as KenLM query: prints "total_log10<TAB>line" per line, then perplexity including and excluding OOVs',
    )
    .requiredOption('--lm <path>', 'ARPA file or compiled binary')
    .argument('[file]', 'text file (default: stdin)')
    .option('--no-bos', 'do not start each sentence with <s> (null context)')
    .option('--no-eos', 'do not score </s> at the end of each sentence')
    .addOption(lmLoadOption())
    .action(async (file: string | undefined, opts: { lm: string; bos: boolean; eos: boolean; lmLoad: LmLoadMethod }) => {
      await checkReadableFile(opts.lm, 'language model');
      if (file && file !== '-') await checkReadableFile(file, 'input');
      const model = await loadLanguageModel(opts.lm, { onWarning: warnToStderr, load: opts.lmLoad });
      const input: NodeJS.ReadableStream = file && file !== '-' ? createReadStream(file) : process.stdin;
      // Bytes as KenLM query reads them: lines split at \n, words at ASCII whitespace, looked up by their bytes
      // (no string per line or word); each output line is the score, a tab and the line's own bytes.
      const totals = emptyTextScoreTotals();
      const out = new LineOutput();
      let tail: Buffer = Buffer.alloc(0);
      const scoreOptions = { bos: opts.bos, eos: opts.eos };
      const scoreChunk = (text: Buffer, end: number) =>
        model.scoreTextLines(text, 0, end, totals, scoreOptions, (start, lineEnd, lineTotal) => {
          // a CRLF line is printed without its \r (its words never include it: \r is whitespace)
          out.line(lineTotal, text, start, lineEnd > start && text[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd);
        });
      for await (const chunk of input as AsyncIterable<Buffer>) {
        const text = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
        const last = text.lastIndexOf(0x0a);
        if (last < 0) {
          tail = Buffer.from(text);
          continue;
        }
        scoreChunk(text, last + 1);
        tail = Buffer.from(text.subarray(last + 1));
      }
      if (tail.length > 0) scoreChunk(tail, tail.length);
      const { total, oovTotal, tokens, oovs } = totals;
      const pplIncl = Math.pow(10, -total / tokens);
      const pplExcl = Math.pow(10, -(total - oovTotal) / (tokens - oovs));
      out.text(`Perplexity including OOVs:\t${pplIncl}\n` + `Perplexity excluding OOVs:\t${pplExcl}\n` + `OOVs:\t${oovs}\n` + `Tokens:\t${tokens}\n`);
      out.flush();
    });

  lm.command('compile')
    .description('compile an ARPA file into the binary form that loads in milliseconds')
    .argument('<arpa>', 'ARPA file')
    .requiredOption('-o, --output <path>', 'binary file to write (written atomically)')
    .action(async (arpa: string, opts: { output: string }) => {
      await checkReadableFile(arpa, 'ARPA file');
      await checkWritableOutput(opts.output);
      const t0 = performance.now();
      const model = await readArpaFile(arpa, { onWarning: warnToStderr });
      const bytes = await writeBinaryModel(model, opts.output);
      process.stderr.write(
        `wrote ${opts.output}: order ${model.order}, ${model.counts.join('/')} n-grams, ${bytes} bytes (${(performance.now() - t0).toFixed(0)} ms)\n`,
      );
    });

  lm.command('build')
    .description(
      'estimate an interpolated modified Kneser-Ney model from text (as KenLM lmplz) and write ARPA; counts beyond --memory are sorted on disk (-T) with identical output',
    )
    .argument('<corpus>', 'text, one sentence per line; "-" reads stdin')
    .requiredOption('--order <n>', 'n-gram order (2..6)', numberArg('--order', { integer: true, min: 2, max: 6 }))
    .requiredOption('-o, --output <path>', 'ARPA file to write (written atomically)')
    .option('--discount-fallback [d...]', `discounts D1 D2 D3+ for orders whose estimate fails (default ${DEFAULT_FALLBACK.join(' ')})`)
    .option('-S, --memory <size>', 'memory budget, as lmplz -S: b/K/M/G/T suffix (none = K) or % of physical memory', DEFAULT_BUILD_MEMORY)
    .option('-T, --temp-dir <dir>', 'folder for the sorted runs spilled beyond --memory (default: the OS temp folder)')
    .option(
      '--prune <t...>',
      'as lmplz: leave out n-grams whose raw count is <= the threshold of their order (one per order from unigrams, non-decreasing, the last repeats; unigrams are never pruned), e.g. --prune 0 0 1',
    )
    .option('--limit-vocab-file <path>', 'as lmplz: allowed words (whitespace-separated); n-grams with any other word are left out')
    .action(
      async (
        corpus: string,
        opts: {
          order: number;
          output: string;
          discountFallback?: true | string[];
          memory: string;
          tempDir?: string;
          prune?: string[];
          limitVocabFile?: string;
        },
      ) => {
        let fallback: [number, number, number] | undefined;
        if (opts.discountFallback === true) fallback = [...DEFAULT_FALLBACK];
        else if (Array.isArray(opts.discountFallback)) {
          const d = opts.discountFallback.map(Number);
          if (d.length !== 3 || d.some((x) => !Number.isFinite(x) || x < 0)) {
            throw new UserError('--discount-fallback takes three non-negative numbers D1 D2 D3+ (or none for 0.5 1 1.5)');
          }
          fallback = [d[0], d[1], d[2]];
        }
        const memoryBytes = parseMemorySize(opts.memory);
        const prune = opts.prune ? parsePruneThresholds(opts.prune, opts.order) : undefined;
        let limitVocab: Set<string> | undefined;
        if (opts.limitVocabFile !== undefined) {
          await checkReadableFile(opts.limitVocabFile, 'vocabulary file');
          limitVocab = new Set((await fs.readFile(opts.limitVocabFile, 'utf8')).split(CORPUS_DELIMITERS).filter((w) => w !== ''));
        }
        const t0 = performance.now();
        const r = await buildArpa(corpus, opts.output, {
          order: opts.order,
          discountFallback: fallback,
          onWarning: warnToStderr,
          memoryBytes,
          tempDir: opts.tempDir,
          prune,
          limitVocab,
          fifoTimeoutMs: Number(process.env.ENSEMBLE_FIFO_TIMEOUT_MS) || undefined,
        });
        const lines = r.discounts.map(
          (d, i) => `  order ${i + 1}: D1=${d.d[0].toPrecision(6)} D2=${d.d[1].toPrecision(6)} D3+=${d.d[2].toPrecision(6)}${d.fallback ? ' (fallback)' : ''}`,
        );
        process.stderr.write(
          `${r.sentences} sentences, ${r.tokens} tokens, vocabulary ${r.vocabularySize}; n-grams ${r.counts.join('/')}\n` +
            `discounts:\n${lines.join('\n')}\n` +
            `wrote ${opts.output} (${(performance.now() - t0).toFixed(0)} ms${r.spilled ? ', counts sorted on disk' : ''})\n`,
        );
      },
    );

  lm.command('info')
    .description('print the order, n-gram counts, vocabulary size and memory of an LM')
    .argument('<lm>', 'ARPA file or compiled binary')
    .addOption(lmLoadOption())
    .action(async (path: string, opts: { lmLoad: LmLoadMethod }) => {
      const t0 = performance.now();
      const model = await loadLanguageModel(path, { onWarning: warnToStderr, load: opts.lmLoad });
      const ms = performance.now() - t0;
      // a lazy load's tables are then read to the end, so that load_ms and resident_ms say both times
      const lazy = model.loading;
      model.makeResident();
      const residentMs = performance.now() - t0;
      const total = model.counts.reduce((a, b) => a + b, 0);
      process.stdout.write(
        `order\t${model.order}\n` +
          `ngrams\t${model.counts.join('/')}\n` +
          `vocabulary\t${model.vocabularySize}\n` +
          `table_bytes\t${model.tableBytes()}\n` +
          `bytes_per_ngram\t${(model.tableBytes() / total).toFixed(1)}\n` +
          `load_ms\t${ms.toFixed(1)}\n` +
          (lazy ? `resident_ms\t${residentMs.toFixed(1)}\n` : ''),
      );
    });
}
