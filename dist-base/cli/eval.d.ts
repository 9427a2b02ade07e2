import type { Command } from 'commander';
/** `DOMAIN=MANIFEST` → parts; the domain is a member name. */
export declare function parseTestArg(arg: string): {
    domain: string;
    manifest: string;
};
/**
 * The test sets `ensemble eval` runs on: the `--test` arguments, or else every member's `testManifest` from
 * ensemble.json (the YAML's `test_manifest`, relative to the ensemble folder); an error naming both ways when
 * neither gives one.
 */
export declare function resolveTestArgs(dir: string, testArgs: readonly string[]): Promise<Array<{
    domain: string;
    manifest: string;
}>>;
export declare function register(program: Command): void;
