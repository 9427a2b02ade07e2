/**
 * `ensemble.json`: what `ensemble build` writes and `Ensemble.load` reads. Paths inside are relative to
 * the ensemble folder (POSIX separators) so the folder can be moved or shipped as a whole.
 */
import { DECODING_DEFAULTS } from '../defaults.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { validateConfidenceSpec } from '../confidence/index.js';
import { readSelectorFeatures, Selector } from '../selector/index.js';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
export const ENSEMBLE_FORMAT = 'ctc-ensemble';
export const ENSEMBLE_SCHEMA_VERSION = 1;
export const ENSEMBLE_FILE = 'ensemble.json';
/** Default LM weights when a member has an LM but no `lm_alpha` / `lm_beta` (pyctcdecode's). */
export const DEFAULT_LM_ALPHA = DECODING_DEFAULTS.alpha;
export const DEFAULT_LM_BETA = DECODING_DEFAULTS.beta;
export function toPosixRelative(from, to) {
    const r = path.relative(from, to) || '.';
    return r.split(path.sep).join('/');
}
export function resolveFrom(dir, p) {
    return path.resolve(dir, p.split('/').join(path.sep));
}
/** Read and validate `DIR/ensemble.json`. */
export async function readEnsembleJson(dir) {
    const file = path.join(dir, ENSEMBLE_FILE);
    let text;
    try {
        text = await fs.readFile(file, 'utf8');
    }
    catch (e) {
        const err = e;
        throw new UserError(err.code === 'ENOENT' ? `no ${ENSEMBLE_FILE} here; build one with \`ensemble build ensemble.yaml -o ${dir}\`` : `cannot read: ${err.message}`, { source: err.code === 'ENOENT' ? dir : file, code: 'E_ENSEMBLE_MISSING', cause: e });
    }
    let json;
    try {
        json = JSON.parse(text);
    }
    catch (e) {
        throw new UserError(`invalid JSON: ${e.message}`, { source: file, code: 'E_ENSEMBLE_FORMAT' });
    }
    const bad = (msg) => {
        throw new UserError(msg, { source: file, code: 'E_ENSEMBLE_FORMAT' });
    };
    if (!json || typeof json !== 'object')
        bad('expected a JSON object');
    if (json.format !== ENSEMBLE_FORMAT)
        bad(`"format" must be "${ENSEMBLE_FORMAT}"`);
    if (typeof json.schemaVersion !== 'number')
        bad('"schemaVersion" is missing');
    if (json.schemaVersion > ENSEMBLE_SCHEMA_VERSION) {
        bad(`schemaVersion ${json.schemaVersion} is newer than this program supports (${ENSEMBLE_SCHEMA_VERSION}); upgrade ctc-ensemble`);
    }
    if (!Array.isArray(json.models) || json.models.length < 1)
        bad('"models" must be a non-empty list');
    const names = new Set();
    json.models.forEach((m, i) => {
        if (!m || typeof m.name !== 'string' || typeof m.path !== 'string')
            bad(`models[${i}] needs "name" and "path"`);
        if (names.has(m.name))
            bad(`models[${i}].name "${m.name}" is repeated`);
        names.add(m.name);
        if (m.lm !== null && m.lm !== undefined) {
            if (typeof m.lm.path !== 'string' || typeof m.lm.alpha !== 'number' || typeof m.lm.beta !== 'number') {
                bad(`models[${i}].lm needs "path", "alpha" and "beta"`);
            }
        }
        if (m.testManifest !== undefined && m.testManifest !== null && typeof m.testManifest !== 'string') {
            bad(`models[${i}].testManifest must be a path (string) or null`);
        }
    });
    validateConfidenceSpec(json.confidence, `${file}: confidence`);
    if (typeof json.temperature !== 'number' || !(json.temperature > 0))
        bad('"temperature" must be a number > 0');
    if (json.earlyRouteSeconds !== undefined && json.earlyRouteSeconds !== null && !(typeof json.earlyRouteSeconds === 'number' && json.earlyRouteSeconds > 0)) {
        bad('"earlyRouteSeconds" must be a number > 0 or null');
    }
    if (json.earlyRouteMinProb !== undefined && !(typeof json.earlyRouteMinProb === 'number' && json.earlyRouteMinProb >= 0 && json.earlyRouteMinProb <= 1)) {
        bad('"earlyRouteMinProb" must be a number from 0 to 1');
    }
    let selector;
    try {
        selector = Selector.fromJSON(json.selector);
    }
    catch (e) {
        throw new UserError(`selector: ${e.message}`, { source: file, code: 'E_ENSEMBLE_FORMAT', cause: e });
    }
    if (selector.features) {
        // A selector reading more than the confidences: every feature must be one this build computes.
        readSelectorFeatures(selector.features, json.models.map((m) => m.name), selector.numFeatures, `${file}: selector.features`);
    }
    else if (selector.numFeatures !== json.models.length) {
        bad(`the selector takes ${selector.numFeatures} confidences but there are ${json.models.length} models`);
    }
    return { json, selector, file };
}
export async function writeEnsembleJson(dir, json) {
    const file = path.join(dir, ENSEMBLE_FILE);
    await writeFileAtomic(file, `${JSON.stringify(json, null, 2)}\n`);
    return file;
}
//# sourceMappingURL=format.js.map