/**
 * Migrate an ensemble built with NeMo (`build_ensemble.py` → one `.nemo` holding a ConfidenceEnsembleModel) to an
 * ensemble folder, without Python: the `.nemo` tar is read for its `model_config.yaml` (confidence config,
 * temperature, `num_models`, each member's config) and its `model_selection_block.pkl` (the sklearn pipeline, read
 * by the restricted pickle reader, never executed). The members' weights inside the `.nemo` are not used: each
 * member is given as an ONNX export folder, in NeMo's model order, and checked against the member's config
 * (vocabulary, mel features, sample rate).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describeConfidenceSpec } from '../confidence/index.js';
import { nemoFramingForVersion } from '../features/nemo-mel.js';
import { loadCtcModel } from '../models/load.js';
import { selectorFromSklearnPickle } from '../selector/sklearn.js';
import { UserError } from '../util/errors.js';
import { readTarMembers } from '../util/tar.js';
import { sha256File } from './cache.js';
import { parseConfidenceBlock } from './config.js';
import { ENSEMBLE_FORMAT, ENSEMBLE_SCHEMA_VERSION, toPosixRelative, writeEnsembleJson } from './format.js';
const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
/** The vocabulary (without blank) a NeMo CTC member config declares: decoder.vocabulary, or aux_ctc's for hybrids. */
function memberVocabulary(cfg) {
    for (const dec of [cfg.decoder, isObj(cfg.aux_ctc) ? cfg.aux_ctc.decoder : undefined]) {
        if (isObj(dec) && Array.isArray(dec.vocabulary) && dec.vocabulary.every((t) => typeof t === 'string'))
            return dec.vocabulary;
    }
    return null;
}
export async function importNemoEnsemble(nemoFile, options) {
    const log = options.log ?? (() => undefined);
    const members = await readTarMembers(nemoFile, { want: (n) => path.basename(n) === 'model_config.yaml' || n.endsWith('.pkl') });
    const bad = (msg, code = 'E_IMPORT_NEMO') => {
        throw new UserError(msg, { source: nemoFile, code });
    };
    // The ensemble's own config is the top-level model_config.yaml (members' configs are nested inside it).
    const cfgMember = members.find((m) => m.name === 'model_config.yaml') ?? bad('no model_config.yaml in the archive; is this a .nemo file?');
    let cfg;
    try {
        cfg = parseYaml(cfgMember.data.toString('utf8'), { version: '1.1' });
    }
    catch (e) {
        return bad(`model_config.yaml: invalid YAML: ${e.message.split('\n')[0]}`);
    }
    if (!isObj(cfg))
        return bad('model_config.yaml: expected a mapping');
    const target = typeof cfg.target === 'string' ? cfg.target : '';
    if (cfg.model_selection_block === undefined || (target && !target.endsWith('ConfidenceEnsembleModel'))) {
        bad(`model_config.yaml is not a ConfidenceEnsembleModel${target ? ` (target: ${target})` : ''}; expected the .nemo written by NeMo's build_ensemble.py`);
    }
    // Member count: num_models (+ model{i} configs), else load_models.
    const loadModels = Array.isArray(cfg.load_models) ? cfg.load_models.map(String) : null;
    const M = typeof cfg.num_models === 'number' ? cfg.num_models : (loadModels?.length ?? bad('model_config.yaml has neither num_models nor load_models'));
    if (options.members.length !== M) {
        bad(`the ensemble has ${M} models (${describeMembers(cfg, M, loadModels).join(', ')}) but ${options.members.length} --member folders were given; give one per model, in this order`, 'E_IMPORT_MEMBERS');
    }
    // Selector: the registered artifact ("nemo:<hash>_model_selection_block.pkl") or the only .pkl.
    const ref = typeof cfg.model_selection_block === 'string' ? cfg.model_selection_block.replace(/^nemo:/, '') : '';
    const pkls = members.filter((m) => m.name.endsWith('.pkl'));
    const pkl = pkls.find((m) => path.basename(m.name) === path.basename(ref)) ?? (pkls.length === 1 ? pkls[0] : undefined);
    if (!pkl)
        bad(`model_selection_block ${JSON.stringify(cfg.model_selection_block)} not found in the archive (members: ${pkls.map((m) => m.name).join(', ') || 'no .pkl'})`);
    const selector = selectorFromSklearnPickle(new Uint8Array(pkl.data), `${nemoFile}:${pkl.name}`);
    if (selector.numFeatures !== M)
        bad(`the selector takes ${selector.numFeatures} confidences but the ensemble has ${M} models`);
    const classes = selector.classes;
    if (classes.length !== M || classes.some((c, i) => c !== i)) {
        bad(`the selector's classes are [${classes.join(', ')}]; NeMo labels them 0…${M - 1} (one per model)`);
    }
    const { spec, notes } = parseConfidenceBlock(cfg.confidence, `${nemoFile}:model_config.yaml`);
    const temperature = cfg.temperature === undefined ? 1 : Number(cfg.temperature);
    if (!(temperature > 0))
        bad(`temperature ${JSON.stringify(cfg.temperature)} must be a number > 0`);
    // Members: load each export and check it against NeMo's member config.
    const names = new Set();
    for (const m of options.members) {
        if (names.has(m.name))
            bad(`member name ${m.name} is given twice`, 'E_IMPORT_MEMBERS');
        names.add(m.name);
    }
    const load = options.loadModel ?? ((d) => loadCtcModel(d));
    const outDir = path.resolve(options.outDir);
    const nemoMembers = describeMembers(cfg, M, loadModels);
    const models = [];
    for (let i = 0; i < M; i++) {
        const want = options.members[i];
        const model = await load(path.resolve(want.dir));
        try {
            const mc = isObj(cfg[`model${i}`]) ? cfg[`model${i}`] : null;
            const where = `model${i} (${nemoMembers[i]}) ↔ --member ${want.name}=${want.dir}`;
            if (mc) {
                const vocab = memberVocabulary(mc);
                const ours = model.vocabulary.filter((_, id) => id !== model.blankId);
                if (vocab) {
                    if (vocab.length !== ours.length)
                        bad(`${where}: NeMo's vocabulary has ${vocab.length} tokens, the export ${ours.length} (without blank)`, 'E_IMPORT_VOCAB');
                    const k = vocab.findIndex((t, j) => t !== ours[j]);
                    if (k >= 0)
                        bad(`${where}: token ${k} differs: NeMo ${JSON.stringify(vocab[k])}, export ${JSON.stringify(ours[k])}`, 'E_IMPORT_VOCAB');
                }
                else
                    notes.push(`model${i}: the config has no decoder vocabulary; the export's vocabulary was not checked`);
                const pre = isObj(mc.preprocessor) ? mc.preprocessor : null;
                // The selector was trained on features of the NeMo that built the ensemble (ModelPT records nemo_version).
                const built = typeof cfg.nemo_version === 'string' ? nemoFramingForVersion(cfg.nemo_version) : null;
                if (built && model.frontEnd.kind === 'nemo' && model.frontEnd.framing !== built) {
                    notes.push(`model${i}: the ensemble was built with NeMo ${String(cfg.nemo_version)} (${built} framing) but ${want.name} computes ${model.frontEnd.framing} ` +
                        `features; set "framing": "${built}" (or the NeMo version) in its model_config.json preprocessor if it was trained with that NeMo`);
                }
                if (pre && model.frontEnd.kind === 'nemo') {
                    if (typeof pre.features === 'number' && pre.features !== model.frontEnd.nMels)
                        bad(`${where}: NeMo's preprocessor has ${pre.features} mel features, the export ${model.frontEnd.nMels}`, 'E_IMPORT_VOCAB');
                    if (typeof pre.sample_rate === 'number' && pre.sample_rate !== model.frontEnd.sampleRate)
                        bad(`${where}: sample rate ${pre.sample_rate} in NeMo, ${model.frontEnd.sampleRate} in the export`, 'E_IMPORT_VOCAB');
                }
            }
            else
                notes.push(`model${i}: no member config in the archive; the export was not checked against it`);
            if (!model.onnxFile)
                bad(`${where}: the model has no ONNX file`);
            models.push({
                name: want.name,
                path: toPosixRelative(outDir, path.resolve(want.dir)),
                sha256: await sha256File(model.onnxFile),
                onnxFile: path.basename(model.onnxFile),
                layout: model.layout,
                blankId: model.blankId,
                vocabSize: model.vocabSize,
                sampleRate: model.frontEnd.sampleRate,
                lm: null,
                trainingManifest: null,
                devManifest: null,
                testManifest: null,
            });
        }
        finally {
            await model.dispose();
        }
    }
    const json = {
        format: ENSEMBLE_FORMAT,
        schemaVersion: ENSEMBLE_SCHEMA_VERSION,
        createdAt: new Date().toISOString(),
        models,
        confidence: spec,
        temperature,
        selector: selector.toJSON(),
        training: null,
    };
    mkdirSync(outDir, { recursive: true });
    const file = await writeEnsembleJson(outDir, json);
    for (const n of notes)
        log(`note: ${n}`);
    log(`wrote ${file}: ${M} models (${models.map((m, i) => `${m.name} = NeMo ${nemoMembers[i]}`).join(', ')}); ` +
        `confidence ${describeConfidenceSpec(spec)}; temperature ${temperature}; ${selector.multiClass} selector`);
    return { file, ensemble: json, nemoMembers, notes };
}
function describeMembers(cfg, M, loadModels) {
    return Array.from({ length: M }, (_, i) => {
        if (loadModels?.[i])
            return path.basename(loadModels[i]);
        const mc = cfg[`model${i}`];
        return isObj(mc) && typeof mc.target === 'string' ? `model${i} ${mc.target.split('.').pop()}` : `model${i}`;
    });
}
//# sourceMappingURL=import-nemo.js.map