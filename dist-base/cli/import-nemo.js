import { importNemoEnsemble } from '../ensemble/import-nemo.js';
import { UserError } from '../util/errors.js';
function collectMember(value, previous) {
    const eq = value.indexOf('=');
    const name = eq > 0 ? value.slice(0, eq) : '';
    const dir = eq > 0 ? value.slice(eq + 1) : '';
    if (!/^[^\s/\\=]+$/.test(name) || dir === '') {
        throw new UserError(`--member ${JSON.stringify(value)}: expected NAME=ONNX_DIR (a name without spaces or slashes)`, { code: 'E_USAGE' });
    }
    return [...previous, { name, dir }];
}
export function register(program) {
    program
        .command('import-nemo')
        .description("turn an ensemble built with NeMo's build_ensemble.py (.nemo) into an ensemble folder, without Python")
        .argument('<ensemble.nemo>', 'the ConfidenceEnsembleModel .nemo file')
        .option('--member <NAME=ONNX_DIR>', "one per NeMo model, in NeMo's order (model0, model1, …): its ONNX export folder", collectMember, [])
        .requiredOption('-o, --output <dir>', 'ensemble folder to write (ensemble.json)')
        .option('--quiet', 'no summary on stderr')
        .action(async (file, opts) => {
        if (opts.member.length === 0)
            throw new UserError("give one --member NAME=ONNX_DIR per model of the ensemble, in NeMo's order", { code: 'E_USAGE' });
        const r = await importNemoEnsemble(file, {
            members: opts.member,
            outDir: opts.output,
            log: opts.quiet ? () => undefined : (s) => process.stderr.write(`${s}\n`),
        });
        process.stdout.write(`${r.file}\n`);
    });
}
//# sourceMappingURL=import-nemo.js.map