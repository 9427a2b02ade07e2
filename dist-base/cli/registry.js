// One line per command module; keep sorted. Each module exports `register`.
export const commandModules = [
    () => import('./batch.js'),
    () => import('./build.js'),
    () => import('./decode.js'),
    () => import('./eval.js'),
    () => import('./features.js'),
    () => import('./import-nemo.js'),
    () => import('./import-selector.js'),
    () => import('./infer.js'),
    () => import('./lm.js'),
    () => import('./serve.js'),
    () => import('./stream.js'),
    () => import('./transcribe.js'),
    () => import('./tune-lm.js'),
    () => import('./worker.js'),
];
//# sourceMappingURL=registry.js.map