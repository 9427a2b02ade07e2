import type { EnsembleMemberInfo, EnsembleResult, TranscribeOptions } from '../ensemble/types.js';
export interface QueueTranscriberOptions {
    redisUrl: string;
    ensembleDir: string;
    queue?: string;
    /** Batch name stem (default `eval-` + the first 8 digits of the ensemble identity). */
    name?: string;
}
export declare class QueueTranscriber {
    private readonly redis;
    private readonly queue;
    private readonly events;
    private readonly infos;
    readonly ensembleId: string;
    private readonly ensembleDir;
    readonly name: string;
    private readonly metaDone;
    private constructor();
    static open(o: QueueTranscriberOptions): Promise<QueueTranscriber>;
    members(): EnsembleMemberInfo[];
    /** The batch names this transcriber has used (for `ensemble batch status`). */
    batches(): string[];
    transcribe(audio: string, options?: TranscribeOptions): Promise<EnsembleResult>;
    dispose(): Promise<void>;
}
