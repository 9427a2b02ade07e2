import type { EnsembleJson } from '../ensemble/format.js';
/** The selector part of GET /v1/models: what routes requests, and how well it did when it was built. */
export interface EnsembleSummary {
    createdAt: string;
    confidence: EnsembleJson['confidence'];
    temperature: number;
    /** Requests route on the first S seconds by default (`early_route_seconds`); null: on whole utterances. */
    earlyRouteSeconds: number | null;
    /** Default floor of the early-routing cascade (`early_route_min_prob`); null: the built-in default. */
    earlyRouteMinProb: number | null;
    selector: {
        kind: 'logistic-regression';
        multiClass: string;
        /** Member names in the selector's class order. */
        classes: string[];
        features: number;
        /** The selector's inputs (`selector.features`; `['confidence']`: NeMo's). */
        featureGroups: string[];
        /** Temperature its probabilities are scaled by (`selector.calibration`; 1: none, NeMo's). */
        probabilityTemperature: number;
        C: number | null;
        classWeight: 'balanced' | null;
    };
    training: {
        utterancesPerClass: Record<string, number>;
        trainAccuracy: number;
        devAccuracy: number | null;
    } | null;
}
export declare function summarizeEnsemble(json: EnsembleJson): EnsembleSummary;
