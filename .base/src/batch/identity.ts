/**
 * An ensemble's identity: a hash of its `ensemble.json` and of the bytes of every member's ONNX file and LM file.
 * Every job records the identity of the ensemble it was submitted for; a worker whose ensemble differs refuses
 * the job, so one batch never mixes results of two ensembles (a rebuilt selector, a retrained model, new LM
 * weights all change it).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sha256File } from '../ensemble/cache.js';
import { ENSEMBLE_FILE, readEnsembleJson, resolveFrom } from '../ensemble/format.js';

/** 24 hex digits (96 bits): short enough to read in a message, long enough never to collide by chance. */
export async function ensembleIdentity(dir: string): Promise<string> {
  const { json } = await readEnsembleJson(dir);
  const h = createHash('sha256');
  h.update('ctc-ensemble identity 1\n');
  h.update(await fs.readFile(path.join(dir, ENSEMBLE_FILE)));
  for (const m of json.models) {
    h.update(`\nmodel ${m.name} ${await sha256File(path.join(resolveFrom(dir, m.path), m.onnxFile))}`);
    if (m.lm) h.update(`\nlm ${m.name} ${await sha256File(resolveFrom(dir, m.lm.path))}`);
  }
  return h.digest('hex').slice(0, 24);
}
