// Inference test vectors of ../shared/reference/nemo-confidence-ensemble.md §2.3 (sklearn 1.2.1, NeMo's default non-tuned settings): the arrays a
// NeMo-built selector pipeline exports (StandardScaler mean_/scale_, LogisticRegression coef_/intercept_/classes_).
export const twoModelArrays = {
  mean_: [0.2090909090909091, 0.21090909090909093],
  scale_: [0.07621197060048977, 0.08184847923889],
  coef_: [[-7.306610671510409, 10.64895350476596]],
  intercept_: [-0.5400729813928247],
  classes_: [0, 1],
  multi_class: 'multinomial',
};

export const threeModelArrays = {
  mean_: [0.1863636363636364, 0.17454545454545456, 0.17909090909090908],
  scale_: [0.08205017614215511, 0.07536138827659165, 0.06881523951918386],
  coef_: [
    [7.168066120298574, -0.7221477585629363, -4.542464794958735],
    [-4.410552628019588, 3.509207859645551, -2.9505729462545123],
    [-2.7575134922789593, -2.7870601010829192, 7.493037741213818],
  ],
  intercept_: [-0.7883038940409969, -1.4411706111772586, 2.2294745052175498],
  classes_: [0, 1, 2],
  multi_class: 'multinomial',
};
