export function summarizeEnsemble(json) {
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
        training: t ? { utterancesPerClass: t.utterancesPerClass, trainAccuracy: t.trainAccuracy, devAccuracy: t.devAccuracy } : null,
    };
}
//# sourceMappingURL=summary.js.map