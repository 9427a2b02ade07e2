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
  /**
   * The domain gate (`domain-gate.json`, beyond NeMo) when the ensemble has one: its default floor and pruning
   * threshold (null: off unless a request asks for them); null without a gate.
   */
  domainGate: { defaultMinProbability: number | null; defaultPrune: number | null } | null;
  training: {
    utterancesPerClass: Record<string, number>;
    trainAccuracy: number;
    devAccuracy: number | null;
  } | null;
}

export function summarizeEnsemble(json: EnsembleJson, domainGate: EnsembleSummary['domainGate'] = null): EnsembleSummary {
  const names = json.models.map((m) => m.name);
  const t = json.training;
  return {
    createdAt: json.createdAt,
    confidence: json.confidence,
    temperature: json.temperature,
    earlyRouteSeconds: json.earlyRouteSeconds ?? null,
    earlyRouteMinProb: json.earlyRouteMinProb ?? null,
    selector: {
      kind: 'logistic-regression',
      multiClass: json.selector.multiClass,
      classes: json.selector.classes.map((c) => names[c] ?? String(c)),
      features: json.selector.mean.length,
      featureGroups: json.selector.features ? [...json.selector.features.groups] : ['confidence'],
      probabilityTemperature: json.selector.probabilityTemperature ?? 1,
      C: t?.chosen.C ?? null,
      classWeight: t?.chosen.classWeight ?? null,
    },
    domainGate,
    training: t ? { utterancesPerClass: t.utterancesPerClass, trainAccuracy: t.trainAccuracy, devAccuracy: t.devAccuracy } : null,
  };
}
