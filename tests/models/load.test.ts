import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCtcModel, ortSessionOptions, detectLayout, parseTokensTxt, nemoEncodedLength, convEncodedLength, logSoftmaxRows } from '../../src/models/load.js';
import { greedyDecode, ctcCollapse, tokensToText, argmaxPerFrame } from '../../src/models/greedy.js';
import { readOnnxModelInfo } from '../../src/models/onnx-proto.js';
import { nemoMelSpectrogram } from '../../src/features/nemo-mel.js';
import type { CtcModel } from '../../src/models/types.js';
import { UserError } from '../../src/util/errors.js';
import { encodeOnnxModel, writeNemoToneModel, writeSherpaToneModel, writeWav2vec2ToneModel, writeTokensTxt } from '../helpers/onnx-builder.js';
import { chars, synthesizeTones } from '../helpers/wav.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'models-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => path.join(root, `${name}-${n++}`);

const CHAR_VOCAB = [' ', 'h', 'e', 'l', 'o', 'w', 'r', 'd'];
const BPE_VOCAB = ['▁he', 'llo', '▁wor', 'ld'];
const W2V_VOCAB = ['<pad>', '<s>', '</s>', '<unk>', '|', 'E', 'H', 'L', 'O', 'W', 'R', 'D'];

async function transcribe(model: CtcModel, audio: Float32Array, temperature?: number): Promise<string> {
  const lp = await model.run(audio, { temperature });
  return greedyDecode(lp, model.vocabulary, model.blankId, model.tokenizer);
}

async function expectUserError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await expect(p).rejects.toBeInstanceOf(UserError);
  await expect(p).rejects.toThrow(pattern);
}

describe('ONNX protobuf writer/reader', () => {
  it('round-trips inputs, outputs, symbolic dims and metadata_props', () => {
    const bytes = encodeOnnxModel({
      inputs: [{ name: 'x', type: 'float', shape: ['B', 3] }, { name: 'n', type: 'int64', shape: ['B'] }],
      outputs: [{ name: 'y', type: 'float', shape: ['B', 3] }],
      nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
      initializers: [{ name: 'w', dims: [2], data: [1, 2] }],
      metadata: { subsampling_factor: '8', normalize_type: '' },
      opset: 17,
    });
    const info = readOnnxModelInfo(bytes);
    expect(info.opsetVersion).toBe(17);
    expect(info.metadata).toEqual({ subsampling_factor: '8', normalize_type: '' });
    expect(info.inputs).toEqual([
      { name: 'x', elemType: 1, shape: ['B', 3] },
      { name: 'n', elemType: 7, shape: ['B'] },
    ]);
    expect(info.outputs[0]).toEqual({ name: 'y', elemType: 1, shape: ['B', 3] });
    expect(() => readOnnxModelInfo(new Uint8Array([0x0a, 0x05, 1]))).toThrow();
  });
});

describe('NeMo layout (model.onnx + model_config.json)', () => {
  for (const version of ['2.3', '2.4'] as const) {
    it(`audio → NeMo ${version} features → ORT → "hello world"`, async () => {
      const m = writeNemoToneModel(fresh('nemo'), { vocabulary: CHAR_VOCAB, nemoVersion: version });
      const model = await loadCtcModel(m.dir);
      expect(model.layout).toBe('nemo');
      expect(model.frontEnd).toMatchObject({ kind: 'nemo', nMels: 80, windowSize: 400, hop: 160, nFft: 512, nemoVersion: version });
      expect(model.vocabSize).toBe(9);
      expect(model.blankId).toBe(8);
      expect(model.tokenizer).toMatchObject({ kind: 'char', wordDelimiter: ' ' });
      const audio = synthesizeTones(chars('hello world'), m.frequencies);
      expect(await transcribe(model, audio)).toBe('hello world');
      const lp = await model.run(audio);
      // Valid encoded length = calc_length(valid feature frames) applied twice for factor 4.
      const feats = nemoMelSpectrogram(audio, model.frontEnd as never);
      expect(lp.frames).toBe(nemoEncodedLength(feats.validFrames, 4));
      // Rows are log-probabilities.
      for (const t of [0, 10, lp.frames - 1]) {
        let s = 0;
        for (let v = 0; v < lp.vocabSize; v++) s += Math.exp(lp.data[t * lp.vocabSize + v]!);
        expect(s).toBeCloseTo(1, 5);
      }
      await model.dispose();
    });
  }

  it('normalize "NA" (no normalisation) and vocabulary from tokens.txt', async () => {
    const m = writeNemoToneModel(fresh('nemo-na'), { vocabulary: CHAR_VOCAB, normalize: 'none', tokensTxt: true });
    const model = await loadCtcModel(m.dir);
    expect(model.frontEnd).toMatchObject({ normalize: 'none' });
    expect(model.vocabulary).toEqual([...CHAR_VOCAB, '<blk>']);
    expect(await transcribe(model, synthesizeTones(chars('hello world'), m.frequencies))).toBe('hello world');
  });

  it('BPE pieces join with ▁ as word starts', async () => {
    const m = writeNemoToneModel(fresh('nemo-bpe'), { vocabulary: BPE_VOCAB, tokenizer: 'bpe' });
    const model = await loadCtcModel(m.dir);
    expect(model.tokenizer.kind).toBe('bpe');
    expect(await transcribe(model, synthesizeTones(['▁he', 'llo', '▁wor', 'ld'], m.frequencies))).toBe('hello world');
  });

  it('computeFeatures + runFeatures ≡ run; features are shareable between models; onnxFile', async () => {
    const a = writeNemoToneModel(fresh('split-a'), { vocabulary: CHAR_VOCAB });
    const b = writeNemoToneModel(fresh('split-b'), { vocabulary: CHAR_VOCAB, outputWidth: 9, gain: 2 });
    const ma = await loadCtcModel(a.dir);
    const mb = await loadCtcModel(b.dir);
    expect(ma.onnxFile).toBe(path.join(a.dir, 'model.onnx'));
    expect(JSON.stringify(ma.frontEnd)).toBe(JSON.stringify(mb.frontEnd));
    const audio = synthesizeTones(chars('hello'), a.frequencies);
    const feats = ma.computeFeatures(audio);
    const copy = feats.kind === 'nemo' ? Float32Array.from(feats.data) : undefined;
    const [la, lb] = await Promise.all([ma.runFeatures(feats, { temperature: 1.5 }), mb.runFeatures(feats)]);
    expect(feats.kind === 'nemo' && Array.from(feats.data)).toEqual(Array.from(copy!)); // not modified
    expect(Array.from(la.data)).toEqual(Array.from((await ma.run(audio, { temperature: 1.5 })).data));
    expect(Array.from(lb.data)).toEqual(Array.from((await mb.run(audio)).data));
    const w = writeWav2vec2ToneModel(fresh('split-w'), { vocabulary: W2V_VOCAB });
    const mw = await loadCtcModel(w.dir);
    await expect(mw.runFeatures(feats)).rejects.toThrow(/do not fit/);
  });

  it('temperature: log_softmax(lp / T), same argmax', async () => {
    const m = writeNemoToneModel(fresh('nemo-t'), { vocabulary: CHAR_VOCAB });
    const model = await loadCtcModel(m.dir);
    const audio = synthesizeTones(chars('hello'), m.frequencies);
    const base = await model.run(audio);
    const hot = await model.run(audio, { temperature: 2 });
    expect(hot.frames).toBe(base.frames);
    const expected = logSoftmaxRows(base.data, base.frames, base.vocabSize, 2);
    for (let i = 0; i < expected.length; i++) expect(hot.data[i]).toBeCloseTo(expected[i]!, 5);
    expect(Array.from(argmaxPerFrame(hot))).toEqual(Array.from(argmaxPerFrame(base)));
    await expectUserError(model.run(audio, { temperature: 0 }), /temperature must be a positive number/);
  });
});

describe('sherpa-onnx layout (model.onnx + tokens.txt + metadata_props)', () => {
  it('reads metadata_props, takes V from the output shape and decodes BPE', async () => {
    const m = writeSherpaToneModel(fresh('sherpa'), { vocabulary: BPE_VOCAB, subsampling: 4 });
    expect(detectLayout(m.dir)).toBe('sherpa-onnx');
    const model = await loadCtcModel(m.dir);
    expect(model.layout).toBe('sherpa-onnx');
    expect(model.blankId).toBe(4);
    expect(model.vocabulary[4]).toBe('<blk>');
    expect(model.frontEnd).toMatchObject({ kind: 'nemo', normalize: 'per_feature', nMels: 80 });
    expect(await transcribe(model, synthesizeTones(['▁he', 'llo', '▁wor', 'ld'], m.frequencies))).toBe('hello world');
  });

  it('normalize_type "" means no normalisation; the ≥2.4 front end can be chosen', async () => {
    const m = writeSherpaToneModel(fresh('sherpa-na'), { vocabulary: CHAR_VOCAB, normalize: 'none' });
    const model = await loadCtcModel(m.dir, { nemoVersion: '2.4' });
    expect(model.frontEnd).toMatchObject({ normalize: 'none', nemoVersion: '2.4' });
    expect(await transcribe(model, synthesizeTones(chars('hello world'), m.frequencies))).toBe('hello world');
  });
});

describe('Hugging Face wav2vec2 layout', () => {
  it('raw logits → log_softmax; pad = blank; | → space; lower-casing; conv-formula length', async () => {
    const m = writeWav2vec2ToneModel(fresh('w2v'), { vocabulary: W2V_VOCAB });
    const model = await loadCtcModel(m.dir);
    expect(model.layout).toBe('wav2vec2');
    expect(model.blankId).toBe(0);
    expect(model.tokenizer).toMatchObject({ kind: 'char', wordDelimiter: '|', lowerCase: true });
    expect(model.tokenizer.specialIds).toEqual([0, 1, 2, 3]);
    const audio = synthesizeTones(chars('HELLO|WORLD'), m.frequencies);
    const lp = await model.run(audio);
    expect(lp.frames).toBe(convEncodedLength(audio.length, [400], [320]));
    let s = 0;
    for (let v = 0; v < lp.vocabSize; v++) s += Math.exp(lp.data[v]!);
    expect(s).toBeCloseTo(1, 5);
    expect(greedyDecode(lp, model.vocabulary, model.blankId, model.tokenizer)).toBe('hello world');
  });

  it('pad token not at 0 and no lower-casing', async () => {
    const vocab = ['|', 'E', 'H', 'L', 'O', 'W', 'R', 'D', '<unk>', '[PAD]'];
    const m = writeWav2vec2ToneModel(fresh('w2v-pad'), { vocabulary: vocab, padToken: '[PAD]', doLowerCase: false, toneTokens: vocab.slice(0, 8) });
    const model = await loadCtcModel(m.dir);
    expect(model.blankId).toBe(9);
    expect(await transcribe(model, synthesizeTones(chars('HELLO|WORLD'), m.frequencies))).toBe('HELLO WORLD');
  });

  it('defaults when only vocab.json is present (pad "<pad>", conv defaults)', async () => {
    const m = writeWav2vec2ToneModel(fresh('w2v-min'), { vocabulary: W2V_VOCAB, skipConfigs: true });
    const model = await loadCtcModel(m.dir);
    expect(model.blankId).toBe(0);
    expect(model.frontEnd).toEqual({ kind: 'wav2vec2', sampleRate: 16000, doNormalize: true });
    expect(await transcribe(model, synthesizeTones(chars('HELLO|WORLD'), m.frequencies))).toBe('HELLO WORLD');
  });
});

describe('model loading errors', () => {
  it('missing folder / missing vocabulary / missing model.onnx', async () => {
    await expectUserError(loadCtcModel(path.join(root, 'does-not-exist')), /does-not-exist: model folder not found/);
    const onlyOnnx = fresh('only-onnx');
    writeNemoToneModel(onlyOnnx, { vocabulary: CHAR_VOCAB });
    rmSync(path.join(onlyOnnx, 'model_config.json'));
    await expectUserError(loadCtcModel(onlyOnnx), /missing vocabulary: found model\.onnx but expected model_config\.json and\/or tokens\.txt .* or vocab\.json/);
    const noVocab = writeNemoToneModel(fresh('no-vocab'), { vocabulary: CHAR_VOCAB, omitVocabulary: true });
    await expectUserError(loadCtcModel(noVocab.dir), /model_config\.json: missing vocabulary: expected tokens\.txt in the folder or a "vocabulary" list/);
    const noOnnx = writeNemoToneModel(fresh('no-onnx'), { vocabulary: CHAR_VOCAB });
    rmSync(path.join(noOnnx.dir, 'model.onnx'));
    await expectUserError(loadCtcModel(noOnnx.dir), /no ONNX model; expected model\.onnx or model\.int8\.onnx/);
  });

  it('vocabulary size ≠ output width (model_config.json, tokens.txt, vocab.json)', async () => {
    const a = writeNemoToneModel(fresh('mismatch-cfg'), { vocabulary: CHAR_VOCAB, outputWidth: 12 });
    await expectUserError(loadCtcModel(a.dir), /model_config\.json: vocabulary size mismatch: .*vocabulary \+ blank = 9 classes, but model\.onnx output "logprobs" has width 12/);
    const b = writeSherpaToneModel(fresh('mismatch-tok'), { vocabulary: CHAR_VOCAB });
    writeTokensTxt(b.dir, CHAR_VOCAB.slice(0, 7));
    await expectUserError(loadCtcModel(b.dir), /tokens\.txt: vocabulary size mismatch: .*8 classes, but model\.onnx output "logprobs" has width 9/);
    const c = writeWav2vec2ToneModel(fresh('mismatch-w2v'), { vocabulary: W2V_VOCAB, outputWidth: 40 });
    await expectUserError(loadCtcModel(c.dir), /vocab\.json: vocabulary size mismatch: .*12 classes, but model\.onnx output "logits" has width 40/);
  });

  it('missing ONNX inputs', async () => {
    const a = writeNemoToneModel(fresh('bad-inputs'), { vocabulary: CHAR_VOCAB, inputNames: { audio: 'features', length: 'length' } });
    await expectUserError(
      loadCtcModel(a.dir),
      /model\.onnx: missing ONNX input "audio_signal"; expected "audio_signal" \[B, n_mels, T\] float32 and "length" \[B\] int64; the model has "features" \[batch, 80, time\], "length" \[batch\]/,
    );
    const b = writeWav2vec2ToneModel(fresh('bad-w2v-input'), { vocabulary: W2V_VOCAB, inputName: 'audio' });
    await expectUserError(loadCtcModel(b.dir), /model\.onnx: missing ONNX input "input_values"; expected "input_values" \[B, samples\] float32/);
  });

  it('broken files: invalid JSON, bad tokens.txt, no blank, not ONNX, n_mels mismatch', async () => {
    const a = writeNemoToneModel(fresh('bad-json'), { vocabulary: CHAR_VOCAB });
    writeFileSync(path.join(a.dir, 'model_config.json'), '{"layout": "nemo",');
    await expectUserError(loadCtcModel(a.dir), /model_config\.json: invalid JSON/);
    const b = writeSherpaToneModel(fresh('bad-tokens'), { vocabulary: CHAR_VOCAB });
    writeFileSync(path.join(b.dir, 'tokens.txt'), 'a 0\nb\n');
    await expectUserError(loadCtcModel(b.dir), /tokens\.txt: line 2: expected "<symbol> <id>"/);
    writeFileSync(path.join(b.dir, 'tokens.txt'), CHAR_VOCAB.map((t, i) => `${t} ${i}`).join('\n') + '\nx 8\n');
    await expectUserError(loadCtcModel(b.dir), /tokens\.txt: no blank token/);
    const c = writeSherpaToneModel(fresh('not-onnx'), { vocabulary: CHAR_VOCAB });
    writeFileSync(path.join(c.dir, 'model.onnx'), 'not a model');
    await expectUserError(loadCtcModel(c.dir), /model\.onnx: not a readable ONNX model/);
    const d = writeNemoToneModel(fresh('mels'), { vocabulary: CHAR_VOCAB, configOverrides: { preprocessor: { features: 64 } } });
    await expectUserError(loadCtcModel(d.dir), /model_config\.json: front end gives 64 mel features but input "audio_signal" of model\.onnx expects 80/);
  });
});

describe('tokens.txt, lengths and greedy decoding', () => {
  it('parses sherpa tokens.txt including a space symbol', () => {
    const r = parseTokensTxt('  0\na 1\n<blk> 2\n', 'tokens.txt');
    expect(r.tokens).toEqual([' ', 'a', '<blk>']);
    expect(r.blankId).toBe(2);
  });
  it('NeMo calc_length and the conv formula', () => {
    expect(nemoEncodedLength(101, 4)).toBe(26);
    expect(nemoEncodedLength(100, 8)).toBe(13);
    expect(nemoEncodedLength(1, 4)).toBe(1);
    expect(convEncodedLength(16000, [10, 3, 3, 3, 3, 2, 2], [5, 2, 2, 2, 2, 2, 2])).toBe(49);
    expect(convEncodedLength(100, [400], [320])).toBe(0);
  });
  it('collapse, blank removal, delimiters, special tokens', () => {
    expect(ctcCollapse([1, 1, 0, 1, 2, 2, 0, 0], 0)).toEqual([1, 1, 2]);
    const charTok = { kind: 'char' as const, wordDelimiter: '|', lowerCase: true, specialIds: [0, 3] };
    expect(tokensToText([4, 1, 2, 2, 3, 4, 5, 4], ['<pad>', 'A', 'B', '<unk>', '|', 'C'], charTok)).toBe('abb c');
    const bpe = { kind: 'bpe' as const, lowerCase: false, specialIds: [3] };
    expect(tokensToText([0, 1, 2], ['▁the', '▁ca', 't'], bpe)).toBe('the cat');
    const lp = { data: Float32Array.from([0, -5, -5, -5, 0, -5, -5, 0, -5]), frames: 3, vocabSize: 3 };
    expect(greedyDecode(lp, ['a', 'b', '<blk>'], 2, { kind: 'char', wordDelimiter: ' ', lowerCase: false, specialIds: [2] })).toBe('ab');
  });
});

describe('ONNX Runtime session settings', () => {
  it('defaults (RUNTIME_DEFAULTS), overrides, and a clear error for bad values', () => {
    expect(ortSessionOptions()).toEqual({ intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' });
    expect(ortSessionOptions({ intraOpThreads: 2, graphOptimization: 'basic', executionMode: 'parallel' })).toMatchObject({
      intraOpNumThreads: 2,
      graphOptimizationLevel: 'basic',
      executionMode: 'parallel',
    });
    expect(() => ortSessionOptions({ intraOpThreads: 0 })).toThrow(/intra-op threads must be a positive integer/);
    expect(() => ortSessionOptions({ graphOptimization: 'max' as never })).toThrow(/graph optimisation must be one of disabled, basic, extended, all/);
    expect(() => ortSessionOptions({ executionMode: 'async' as never })).toThrow(UserError);
  });

  it('a model loads and runs with every graph optimisation level and gives the same posteriors', async () => {
    const dir = writeNemoToneModel(fresh('ort-levels'), { vocabulary: [' ', 'a', 'b'] }).dir;
    const x = synthesizeTones(['a', 'b'], new Map([['a', 500], ['b', 900]]), { amp: 0.3 });
    let first: Float32Array | undefined;
    for (const level of ['disabled', 'basic', 'extended', 'all'] as const) {
      const m = await loadCtcModel(dir, { ort: { graphOptimization: level } });
      const lp = await m.run(x);
      await m.dispose();
      first ??= lp.data;
      for (let i = 0; i < lp.data.length; i++) expect(Math.abs(lp.data[i]! - first[i]!)).toBeLessThan(1e-4);
    }
  });
});

describe('detectLayout', () => {
  it('model_config.json → nemo, tokens.txt → sherpa-onnx, vocab.json → wav2vec2', () => {
    const d = fresh('detect');
    mkdirSync(d);
    writeFileSync(path.join(d, 'vocab.json'), '{}');
    expect(detectLayout(d)).toBe('wav2vec2');
    writeFileSync(path.join(d, 'tokens.txt'), '');
    expect(detectLayout(d)).toBe('sherpa-onnx');
    writeFileSync(path.join(d, 'model_config.json'), '{}');
    expect(detectLayout(d)).toBe('nemo');
    expect(readFileSync(path.join(d, 'vocab.json'), 'utf8')).toBe('{}');
  });
});
