import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { importSklearnSelector, SKLEARN_FIELDS } from '../selector/sklearn.js';
import type { Selector } from '../selector/selector.js';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';

/** Reads sklearn's arrays JSON (NeMo's model-selection pipeline) from `file` and returns the validated Selector. */
export async function readSklearnArrays(file: string): Promise<Selector> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { source: file, code: 'E_FILE' });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`not valid JSON: ${(e as Error).message}`, { source: file, code: 'E_SELECTOR_JSON' });
  }
  return importSklearnSelector(json, file);
}

/** `ensemble import-selector arrays.json [-o selector.json]`: our selector JSON, atomically or to stdout. */
export async function importSelectorCommand(file: string, output?: string): Promise<void> {
  const sel = await readSklearnArrays(file);
  const text = `${JSON.stringify(sel.toJSON(), null, 2)}\n`;
  if (output) {
    await writeFileAtomic(output, text);
    process.stderr.write(`wrote ${output}: ${sel.multiClass} selector, ${sel.classes.length} classes, ${sel.numFeatures} features\n`);
  } else process.stdout.write(text);
}

export function register(program: Command): void {
  program
    .command('import-selector')
    .description(`convert a selector trained by NeMo/sklearn (JSON with ${SKLEARN_FIELDS.join(', ')}) into this tool's selector JSON`)
    .argument('<arrays.json>', "sklearn arrays of NeMo's model_selection_block pipeline")
    .option('-o, --output <file>', 'write the selector JSON here (atomically) instead of stdout')
    .addHelpText(
      'after',
      `
Export the arrays from the pickled pipeline once with Python:
  import json, joblib
  pipe = joblib.load("model_selection_block.pkl")
  sc, lr = pipe.steps[0][1], pipe.steps[-1][1]
  json.dump({"mean_": sc.mean_.tolist(), "scale_": sc.scale_.tolist(), "coef_": lr.coef_.tolist(),
             "intercept_": lr.intercept_.tolist(), "classes_": lr.classes_.tolist(),
             "multi_class": lr.multi_class}, open("arrays.json", "w"))`,
    )
    .action(async (file: string, opts: { output?: string }) => {
      await importSelectorCommand(file, opts.output);
    });
}
