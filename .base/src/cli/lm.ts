import { createReadStream, promises as fs } from 'node:fs';
import readline from 'node:readline';
import type { Command } from 'commander';
import { numberArg } from './options.js';
import { UserError } from '../util/errors.js';
import { loadLanguageModel, readArpaFile, writeBinaryModel } from '../lm/index.js';
import { buildArpa, checkReadableFile, checkWritableOutput, parseMemorySize } from '../lm/build.js';
import { DEFAULT_BUILD_MEMORY, DEFAULT_FALLBACK } from '../lm/constants.js';
import { parsePruneThresholds } from '../lm/estimate.js';
import { CORPUS_DELIMITERS } from '../lm/count.js';

const warnToStderr = (m: string) => process.stderr.write(`warning: ${m}\n`);

/** Words of a query line: KenLM's query splits on ASCII whitespace. */
const splitWords = (line: string) => line.split(/[ \t\n\v\f\r]+/).filter((w) => w !== '');

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
    .action(async (file: string | undefined, opts: { lm: string; bos: boolean; eos: boolean }) => {
      await checkReadableFile(opts.lm, 'language model');
      if (file && file !== '-') await checkReadableFile(file, 'input');
      const model = await loadLanguageModel(opts.lm, { onWarning: warnToStderr });
      let input: NodeJS.ReadableStream = process.stdin;
      if (file && file !== '-') {
        input = createReadStream(file, { encoding: 'utf8' });
      }
      const rl = readline.createInterface({ input, crlfDelay: Infinity });
      let total = 0;
      let oovTotal = 0;
      let tokens = 0;
      let oovs = 0;
      let out = '';
      for await (const line of rl) {
        const r = model.scoreSentence(splitWords(line), { bos: opts.bos, eos: opts.eos });
        total += r.total;
        tokens += r.words.length;
        oovs += r.oovs;
        for (const w of r.words) if (w.oov) oovTotal += w.log10;
        out += `${r.total.toFixed(6)}\t${line}\n`;
        if (out.length > 1 << 16) {
          process.stdout.write(out);
          out = '';
        }
      }
      const pplIncl = Math.pow(10, -total / tokens);
      const pplExcl = Math.pow(10, -(total - oovTotal) / (tokens - oovs));
      out += `Perplexity including OOVs:\t${pplIncl}\n` + `Perplexity excluding OOVs:\t${pplExcl}\n` + `OOVs:\t${oovs}\n` + `Tokens:\t${tokens}\n`;
      process.stdout.write(out);
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
    .action(async (path: string) => {
      const t0 = performance.now();
      const model = await loadLanguageModel(path, { onWarning: warnToStderr });
      const ms = performance.now() - t0;
      const total = model.counts.reduce((a, b) => a + b, 0);
      process.stdout.write(
        `order\t${model.order}\n` +
          `ngrams\t${model.counts.join('/')}\n` +
          `vocabulary\t${model.vocabularySize}\n` +
          `table_bytes\t${model.tableBytes()}\n` +
          `bytes_per_ngram\t${(model.tableBytes() / total).toFixed(1)}\n` +
          `load_ms\t${ms.toFixed(1)}\n`,
      );
    });
}
