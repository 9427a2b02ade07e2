import { describe, expect, it } from 'vitest';
import { posteriorCounts } from '../../src/confidence/posterior-stats.js';
import { fitProbabilityTemperature, selectorNll } from '../../src/selector/calibration.js';
import {
  normalizeFeatureGroups,
  readSelectorFeatures,
  selectorExtras,
  SelectorFeatureAccumulator,
  selectorFeatureNames,
  SELECTOR_FEATURES_VERSION,
} from '../../src/selector/features.js';
import { Selector, trainSelector } from '../../src/selector/selector.js';
import { userErrorOf } from '../helpers/errors.js';

function logprobs(rows: number[][]): { data: Float32Array; frames: number; vocabSize: number } {
  return { data: Float32Array.from(rows.flat().map(Math.log)), frames: rows.length, vocabSize: rows[0].length };
}

describe('selector features', () => {
  it('puts groups in canonical order and refuses unknown or missing ones', () => {
    expect(normalizeFeatureGroups(['acoustic', 'confidence', 'blank_share'], 'x')).toEqual(['confidence', 'blank_share', 'acoustic']);
    expect(userErrorOf(() => normalizeFeatureGroups(['confidence', 'lang_id'], 'selector.features')).message).toMatch(/lang_id.*not a selector feature/);
    expect(userErrorOf(() => normalizeFeatureGroups(['acoustic'], 'selector.features')).message).toMatch(/must include "confidence"/);
    expect(userErrorOf(() => normalizeFeatureGroups(['confidence', 'confidence'], 'f')).message).toMatch(/twice/);
    expect(selectorFeatureNames(['confidence', 'token_rate'], ['a', 'b'])).toEqual(['confidence:a', 'confidence:b', 'token_rate:a', 'token_rate:b']);
  });

  it('counts blank frames and greedy tokens', () => {
    // blank = 2; argmax path 0 0 2 1 1 2 0 -> tokens 0,1,0 = 3; blanks 2 of 7
    const p = (k: number) => [0, 1, 2].map((j) => (j === k ? 0.8 : 0.1));
    const c = posteriorCounts(logprobs([p(0), p(0), p(2), p(1), p(1), p(2), p(0)]), 2);
    expect(c).toEqual({ frames: 7, blankFrames: 2, tokens: 3 });
  });

  it('accumulates segments into the same values as selectorExtras of the sums', () => {
    const acc = new SelectorFeatureAccumulator(['confidence', 'blank_share', 'token_rate'], 2);
    acc.add(1.5, [
      { frames: 10, blankFrames: 5, tokens: 3 },
      { frames: 20, blankFrames: 20, tokens: 0 },
    ]);
    acc.add(0.5, [
      { frames: 10, blankFrames: 1, tokens: 1 },
      { frames: 20, blankFrames: 10, tokens: 4 },
    ]);
    expect(acc.row([0.9, 0.1])).toEqual([0.9, 0.1, 6 / 20, 30 / 40, 4 / 2, 4 / 2]);
    expect(acc.extras()).toEqual(
      selectorExtras(
        ['confidence', 'blank_share', 'token_rate'],
        2,
        [
          { frames: 20, blankFrames: 6, tokens: 4 },
          { frames: 40, blankFrames: 30, tokens: 4 },
        ],
        null,
      ),
    );
  });

  it("a selector with features and a probability temperature round-trips (version 2); NeMo's stays version 1", () => {
    const X = [
      [0.9, 0.1, 3],
      [0.8, 0.3, 2],
      [0.2, 0.7, -1],
      [0.1, 0.9, 0],
      [0.6, 0.5, 1],
      [0.4, 0.6, 0.5],
    ];
    const y = [0, 0, 1, 1, 0, 1];
    const plain = trainSelector(X, y, { C: 1 });
    expect(plain.toJSON().version).toBe(1);
    expect(Selector.fromJSON(JSON.stringify(plain.toJSON())).toJSON()).toEqual(plain.toJSON());
    const features = { version: SELECTOR_FEATURES_VERSION, groups: ['confidence' as const, 'acoustic' as const], names: ['confidence:a', 'confidence:b', 'x'] };
    const ext = plain.with({ features, probabilityTemperature: 2.5 });
    const j = ext.toJSON();
    expect(j.version).toBe(2);
    const back = Selector.fromJSON(JSON.parse(JSON.stringify(j)));
    expect(back.toJSON()).toEqual(j);
    expect(back.predict(X)).toEqual(plain.predict(X));
    const d = plain.decisionFunction(X);
    const p = back.predictProba(X);
    // binary multinomial: softmax([-d, d]) = sigmoid(2d); with T: sigmoid(2d / T)
    p.forEach((row, i) => expect(row[1]).toBeCloseTo(1 / (1 + Math.exp((-2 * d[i][0]) / 2.5)), 12));
    // a version-1 file cannot carry the new fields
    expect(userErrorOf(() => Selector.fromJSON({ ...j, version: 1 })).message).toMatch(/version 2/);
  });

  it('checks a stored features block against the members and this build', () => {
    const names = ['confidence:a', 'confidence:b', 'blank_share:a', 'blank_share:b'];
    expect(readSelectorFeatures({ version: 1, groups: ['confidence', 'blank_share'], names }, ['a', 'b'], 4, 's').groups).toEqual([
      'confidence',
      'blank_share',
    ]);
    expect(userErrorOf(() => readSelectorFeatures({ version: 1, groups: ['confidence', 'lang_id'], names }, ['a', 'b'], 4, 's')).message).toMatch(
      /"lang_id" is not a selector feature this version of ctc-ensemble computes/,
    );
    expect(
      userErrorOf(() => readSelectorFeatures({ version: SELECTOR_FEATURES_VERSION + 1, groups: ['confidence'], names }, ['a', 'b'], 4, 's')).message,
    ).toMatch(/upgrade ctc-ensemble or rebuild/);
    expect(userErrorOf(() => readSelectorFeatures({ version: 1, groups: ['confidence', 'blank_share'], names }, ['a', 'b'], 5, 's')).message).toMatch(
      /takes 5 inputs/,
    );
  });

  it('temperature scaling lowers the dev NLL of an over-confident selector and changes no choice', () => {
    // fitted on clean labels (over-confident), calibrated on dev labels with 20 % noise
    const X: number[][] = [];
    const y: number[] = [];
    const yDev: number[] = [];
    for (let i = 0; i < 60; i++) {
      const k = i % 2;
      X.push([k + 0.3 * Math.sin(i), 1 - k + 0.3 * Math.cos(i)]);
      y.push(k);
      yDev.push(i % 5 === 0 ? 1 - k : k);
    }
    const sel = trainSelector(X, y, { C: 10 });
    const t = fitProbabilityTemperature(sel, X, yDev);
    expect(t).toBeGreaterThan(1);
    expect(selectorNll(sel, X, yDev, t)).toBeLessThan(selectorNll(sel, X, yDev, 1));
    expect(sel.with({ probabilityTemperature: t }).predict(X)).toEqual(sel.predict(X));
  });
});
