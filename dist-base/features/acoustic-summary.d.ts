/** Analysis settings of the summary; changing any changes the features (bump ACOUSTIC_SUMMARY_VERSION). */
export declare const ACOUSTIC_SUMMARY: Readonly<{
    version: 1;
    sampleRate: 16000;
    bands: 10;
    windowSize: 400;
    hop: 160;
    nFft: 512;
    /** Energy at and above this frequency counts as "wideband" (telephone speech stops near 3.4–4 kHz). */
    highBandHz: 3800;
    /** Floor of the high-band share before its log10 (an 8 kHz input resampled to 16 kHz has ~0 there). */
    shareFloor: 0.000001;
    /** Added to band power before the log (the summary's own guard; inputs are float samples in [-1, 1]). */
    powerFloor: 1e-10;
}>;
/** Names of the values `AcousticSummary.features()` returns, in order. */
export declare function acousticFeatureNames(): string[];
/** Accumulates the summary over one or more segments of 16 kHz samples. */
export declare class AcousticSummary {
    private seconds;
    private frames;
    private readonly sum;
    private readonly sumSq;
    private highPower;
    private totalPower;
    /** Adds one segment (mono, 16 kHz). */
    add(samples16k: Float32Array): this;
    /**
     * `acousticFeatureNames()` values: ln(seconds), log10 of the share of power in the bands centred at or
     * above `highBandHz`, per band the mean log power minus the mean over all bands (spectral shape, free of
     * the input's gain), and per band the standard deviation of log power over frames.
     */
    features(): number[];
}
