import type { Command } from 'commander';
export type OutputFormat = 'text' | 'json' | 'jsonl' | 'srt' | 'vtt';
export declare function register(program: Command): void;
