import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCtcModel, ortSessionOptions, detectLayout, parseTokensTxt, nemoEncodedLength, convEncodedLength, logSoftmaxRows } from '../../src/models/load.js';
import { ctcCollapse, argmaxPerFrame } from '../../src/models/greedy.js';
import { greedyDecode } from '../../src/decoding/greedy.js';
import { buildAlphabet, tokensToText } from '../../src/decoding/alphabet.js';
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
  for (const [version, framing] of [['2.3', 'reflect'], ['2.4.1', 'reflect'], ['2.5.0rc0', 'zero-pad'], ['zero-pad', 'zero-pad']] as const) {
    it(`audio → NeMo ${version} features (${framing}) → ORT → "hello world" (issue 14.7: 2.4 is reflect)`, async () => {
      const m = writeNemoToneModel(fresh('nemo'), { vocabulary: CHAR_VOCAB, ...(version === framing ? { framing } : { nemoVersion: version }) });
      const model = await loadCtcModel(m.dir);
      expect(model.layout).toBe('nemo');
      expect(model.frontEnd).toMatchObject({ kind: 'nemo', nMels: 80, windowSize: 400, hop: 160, nFft: 512, framing });
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
        for (let v = 0; v < lp.vocabSize; v++) s += Math.exp(lp.data[t * lp.vocabSize + v]);
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
    for (let i = 0; i < expected.length; i++) expect(hot.data[i]).toBeCloseTo(expected[i], 5);
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

  it('normalize_type "" means no normalisation; the zero-pad framing can be chosen', async () => {
    const m = writeSherpaToneModel(fresh('sherpa-na'), { vocabulary: CHAR_VOCAB, normalize: 'none' });
    const model = await loadCtcModel(m.dir, { framing: 'zero-pad' });
    expect(model.frontEnd).toMatchObject({ normalize: 'none', framing: 'zero-pad' });
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
    for (let v = 0; v < lp.vocabSize; v++) s += Math.exp(lp.data[v]);
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
    const lp = { data: Float32Array.from([0, -5, -5, -5, 0, -5, -5, 0, -5]), frames: 3, vocabSize: 3 };
    expect(greedyDecode(lp, ['a', 'b', '<blk>'], 2, { kind: 'char', wordDelimiter: ' ', lowerCase: false, specialIds: [2] })).toBe('ab');
  });
});

describe('ONNX Runtime session settings', () => {
  it('defaults (RUNTIME_DEFAULTS), overrides, and a clear error for bad values', () => {
    const noSpinning = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };
    expect(ortSessionOptions()).toEqual({ intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential', extra: noSpinning });
    expect(ortSessionOptions({ spinning: true }).extra).toEqual({ session: { intra_op: { allow_spinning: '1' }, inter_op: { allow_spinning: '1' } } });
    expect(() => ortSessionOptions({ spinning: 'yes' as never })).toThrow(/spinning must be true or false, got "yes"/);
    // A setting passed on as undefined takes the default (the serving pool passes its optional spinning so).
    expect(ortSessionOptions({ intraOpThreads: undefined, spinning: undefined })).toEqual(ortSessionOptions());
    expect(ortSessionOptions({ intraOpThreads: 2, graphOptimization: 'basic', executionMode: 'parallel' })).toMatchObject({
      intraOpNumThreads: 2,
      graphOptimizationLevel: 'basic',
      executionMode: 'parallel',
    });
    expect(() => ortSessionOptions({ intraOpThreads: 0 })).toThrow(/intra-op threads must be a positive integer/);
    expect(() => ortSessionOptions({ graphOptimization: 'max' as never })).toThrow(/graph optimisation must be one of disabled, basic, extended, all/);
    expect(() => ortSessionOptions({ executionMode: 'async' as never })).toThrow(UserError);
  });

  it("spinning off reaches ONNX Runtime: a two-thread session's pool takes no CPU once a run is over", async () => {
    // ORT's default (spinning on) keeps each pool thread busy-waiting for ~40 ms of CPU after every run; with
    // `allow_spinning` 0 the pool sleeps. Process CPU over 80 ms of idle after a run: well under 10 ms unless a pool spins.
    const dir = writeNemoToneModel(fresh('ort-spin'), { vocabulary: [' ', 'a', 'b'] }).dir;
    const x = synthesizeTones(['a', 'b', 'a', 'b', 'a'], new Map([['a', 500], ['b', 900]]), { amp: 0.3 });
    const idleCpuAfterRun = async (m: CtcModel): Promise<number> => {
      await m.run(x);
      const c0 = process.cpuUsage();
      await new Promise((r) => setTimeout(r, 80));
      const d = process.cpuUsage(c0);
      return (d.user + d.system) / 1000;
    };
    const quiet = await loadCtcModel(dir, { ort: { intraOpThreads: 2 } });
    const spinning = await loadCtcModel(dir, { ort: { intraOpThreads: 2, spinning: true } });
    try {
      await quiet.run(x);
      await spinning.run(x);
      const off: number[] = [];
      const on: number[] = [];
      for (let i = 0; i < 3; i++) {
        off.push(await idleCpuAfterRun(quiet));
        on.push(await idleCpuAfterRun(spinning));
      }
      off.sort((a, b) => a - b);
      on.sort((a, b) => a - b);
      expect(off[1]).toBeLessThan(10);
      expect(on[1]).toBeGreaterThan(off[1]);
    } finally {
      await quiet.dispose();
      await spinning.dispose();
    }
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
      for (let i = 0; i < lp.data.length; i++) expect(Math.abs(lp.data[i] - first[i])).toBeLessThan(1e-4);
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

describe('issue 14: NeMo / sherpa-onnx exports that used to load and misbehave', () => {
  it('14.8: sherpa metadata is_giga_am=1 and non-NeMo model_type are refused; the hybrid CTC branch is accepted', async () => {
    const base = { vocab_size: '9', subsampling_factor: '4', normalize_type: 'per_feature' };
    const giga = writeSherpaToneModel(fresh('giga'), { vocabulary: CHAR_VOCAB, metadata: { ...base, model_type: 'EncDecCTCModel', is_giga_am: '1' } });
    await expectUserError(loadCtcModel(giga.dir), /model\.onnx: metadata is_giga_am=1: GigaAM models need their own front end \(64 mel bins, no pre-emphasis, n_fft 400/);
    const wenet = writeSherpaToneModel(fresh('wenet'), { vocabulary: CHAR_VOCAB, metadata: { ...base, model_type: 'wenet_ctc' } });
    await expectUserError(loadCtcModel(wenet.dir), /metadata model_type="wenet_ctc" is not a NeMo CTC model/);
    const hybrid = writeSherpaToneModel(fresh('hybrid'), { vocabulary: CHAR_VOCAB, metadata: { ...base, model_type: 'EncDecHybridRNNTCTCBPEModel', is_giga_am: '0' } });
    const model = await loadCtcModel(hybrid.dir);
    expect(await transcribe(model, synthesizeTones(chars('hello world'), hybrid.frequencies))).toBe('hello world');
  });

  it('14.9: rarer preprocessor keys are implemented (window, lowfreq/highfreq, mag_power, log, log_zero_guard_*, dither, pad_to) or refused', async () => {
    const m = writeNemoToneModel(fresh('pre'), {
      vocabulary: CHAR_VOCAB,
      configOverrides: {
        preprocessor: {
          _target_: 'nemo.collections.asr.modules.AudioToMelSpectrogramPreprocessor', sample_rate: 16000, features: 80,
          window_size: 0.025, window_stride: 0.01, n_fft: 512, preemph: 0.97, normalize: 'per_feature', window: 'hamming',
          lowfreq: 20, highfreq: 7600, mag_power: 1.0, log: true, log_zero_guard_type: 'clamp', log_zero_guard_value: 'tiny',
          dither: 1e-5, pad_to: 16, pad_value: 0.0, frame_splicing: 1, exact_pad: false,
        },
      },
    });
    const model = await loadCtcModel(m.dir);
    expect(model.frontEnd).toMatchObject({ window: 'hamming', lowFreq: 20, highFreq: 7600, magPower: 1, logZeroGuard: { type: 'clamp', value: 1.1754943508222875e-38 } });
    // log: false gives the mel energies NeMo's default then logs as ln(x + 2^-24); mag_power 1 changes them.
    const audio = synthesizeTones(chars('hello'), m.frequencies);
    const un = { normalize: 'none' as const };
    const plain = nemoMelSpectrogram(audio, un);
    const energy = nemoMelSpectrogram(audio, { ...un, log: false });
    for (const i of [0, 333, 2000]) expect(Math.log(energy.data[i] + 2 ** -24)).toBeCloseTo(plain.data[i], 5);
    const mag = nemoMelSpectrogram(audio, { ...un, magPower: 1 });
    expect(Math.abs(mag.data[10 * plain.frames + 20] - plain.data[10 * plain.frames + 20])).toBeGreaterThan(0.1);
    const ham = nemoMelSpectrogram(audio, { ...un, window: 'hamming' });
    expect(ham.data[10 * plain.frames + 20]).not.toBe(plain.data[10 * plain.frames + 20]);
    expect(await transcribe(model, synthesizeTones(chars('hello world'), m.frequencies))).toBe('hello world');
    for (const [key, value, pattern] of [
      ['frame_splicing', 3, /preprocessor\.frame_splicing 3: frame splicing is not implemented/],
      ['exact_pad', true, /preprocessor\.exact_pad true: exact \(center=False\) STFT padding is not implemented/],
      ['window', 'kaiser', /preprocessor\.window "kaiser": expected hann, hamming, blackman or bartlett/],
      ['mel_norm', 'htk', /preprocessor\.mel_norm "htk": only "slaney"/],
      ['log_zero_guard_type', 'max', /log_zero_guard_type "max": expected add or clamp/],
      ['highfreq', 9000, /highfreq 9000: expected 0 ≤ lowfreq < highfreq ≤ 8000/],
      ['windw', 'hann', /preprocessor\.windw "hann": unknown preprocessor key/],
    ] as const) {
      const bad = writeNemoToneModel(fresh('pre-bad'), { vocabulary: CHAR_VOCAB, configOverrides: { preprocessor: { features: 80, [key]: value } } });
      await expectUserError(loadCtcModel(bad.dir), pattern);
    }
  });

  it('14.10: byte-fallback tokens are reassembled into UTF-8; WordPiece (##) joins words', () => {
    const bytes = ['▁caf', '<0xC3>', '<0xA9>', '▁', '<0xE2>', '<0x82>', '<0xAC>', '<unk>', '<blk>'];
    // The one token-to-text rule of greedy and beam decoding (decoding/alphabet.ts); <unk> prints as ⁇.
    const a = buildAlphabet(bytes, 8);
    expect(tokensToText(a, [0, 1, 2, 3, 4, 5, 6])).toBe('café €');
    expect(tokensToText(a, [0, 1, 7])).toBe('caf\uFFFD ⁇'); // a lone lead byte is invalid UTF-8
    const wpe = ['the', '##re', 'is', '##n', "##'t", '[UNK]', '<blk>'];
    expect(tokensToText(buildAlphabet(wpe, 6), [0, 1, 2, 3, 4])).toBe("there isn't");
  });

  it('14.10: a NeMo folder with tokenizer "wpe", and one with byte-fallback tokens, decode through the loader', async () => {
    const wpeVocab = ['the', '##re', 'is', '##n'];
    const w = writeNemoToneModel(fresh('wpe'), { vocabulary: wpeVocab, tokenizer: 'wpe' as 'bpe' });
    const wm = await loadCtcModel(w.dir);
    expect(wm.tokenizer.kind).toBe('wpe');
    expect(await transcribe(wm, synthesizeTones(['the', '##re', 'is', '##n'], w.frequencies))).toBe('there isn');
    const byteVocab = ['▁caf', '<0xC3>', '<0xA9>', '▁ok'];
    const s = writeSherpaToneModel(fresh('bytes'), { vocabulary: byteVocab });
    const sm = await loadCtcModel(s.dir);
    expect(sm.tokenizer.specialIds).toEqual([4]);
    expect(await transcribe(sm, synthesizeTones(byteVocab, s.frequencies))).toBe('café ok');
  });

  it('14.11: raw logits under another output name are log-softmaxed (rows sum to 1)', async () => {
    const m = writeNemoToneModel(fresh('raw'), { vocabulary: CHAR_VOCAB, rawLogits: true, outputName: 'logits' });
    const model = await loadCtcModel(m.dir);
    const lp = await model.run(synthesizeTones(chars('hello world'), m.frequencies));
    for (let t = 0; t < lp.frames; t += 7) {
      let sum = 0;
      for (let v = 0; v < lp.vocabSize; v++) sum += Math.exp(lp.data[t * lp.vocabSize + v]);
      expect(sum).toBeCloseTo(1, 5);
    }
    expect(greedyDecode(lp, model.vocabulary, model.blankId, model.tokenizer)).toBe('hello world');
  });

  it('14.12: an export with the preprocessor inside (audio_signal [B, T]) is refused at load with the reason', async () => {
    const m = writeNemoToneModel(fresh('rank2'), { vocabulary: CHAR_VOCAB, rawAudioInput: true });
    await expectUserError(loadCtcModel(m.dir), /model\.onnx: ONNX input "audio_signal" has rank 2 \[batch, time\], expected rank 3: a rank-2 \[B, T\] audio_signal means the export contains the preprocessor/);
  });

  it('14.13: tokens.txt split on any whitespace (tabs), a bare id line is the space symbol', () => {
    const r = parseTokensTxt('\t0\na\t1\nb  2\r\n<blk>\t3\n', 'tokens.txt');
    expect(r.tokens).toEqual([' ', 'a', 'b', '<blk>']);
    expect(r.blankId).toBe(3);
    expect(() => parseTokensTxt('a b 1\n', 'tokens.txt')).toThrow(/line 1: expected "<symbol> <id>"/);
  });

  it('14.14: transducer folders say so and how to export the CTC branch', async () => {
    const d = fresh('rnnt');
    mkdirSync(d, { recursive: true });
    for (const f of ['encoder.int8.onnx', 'decoder.int8.onnx', 'joiner.int8.onnx']) writeFileSync(path.join(d, f), 'x');
    writeTokensTxt(d, CHAR_VOCAB);
    await expectUserError(loadCtcModel(d), /transducer models are not supported \(found decoder\.int8\.onnx, encoder\.int8\.onnx, joiner\.int8\.onnx\).*set_export_config\(\{"decoder_type": "ctc"\}\)/);
    const n = fresh('rnnt-nemo');
    mkdirSync(n, { recursive: true });
    for (const f of ['encoder-model.onnx', 'decoder_joint-model.onnx']) writeFileSync(path.join(n, f), 'x');
    expect(() => detectLayout(n)).toThrow(/transducer models are not supported/);
  });
});
