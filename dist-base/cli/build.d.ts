import type { Command } from 'commander';
import { type RuntimeCliOptions } from './options.js';
interface BuildCliOptions extends RuntimeCliOptions {
    output?: string;
    jobs?: string;
    cache?: boolean;
    quiet?: boolean;
    configPath?: string;
    configName?: string;
}
/**
 * The config file of `ensemble build [CONFIG] [OVERRIDES…]`, Hydra-style: `--config-path DIR --config-name NAME`
 * (NAME without an extension gets `.yaml`; DIR defaults to the working directory) or the first word that is not
 * an override. Returns null when the config is given by overrides alone.
 */
export declare function resolveBuildConfigFile(words: readonly string[], opts: Pick<BuildCliOptions, 'configPath' | 'configName'>): {
    file: string | null;
    overrides: string[];
};
export declare function register(program: Command): void;
export {};
