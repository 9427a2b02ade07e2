import { describe, expect, it } from 'vitest';
import { posteriorCounts } from '../../src/confidence/posterior-stats.js';
import { fitProbabilityTemperature, selectorNll } from '../../src/selector/calibration.js';
import {
  memberSpanSums,
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

  it('counts greedy tokens and the blank frames between the first and the last token', () => {
    // blank = 2; argmax path 2 0 0 2 1 1 2 0 2 2 -> tokens 0,1,0 = 3; span frames 1..7 = 7, blanks inside 2
    const p = (k: number) => [0, 1, 2].map((j) => (j === k ? 0.8 : 0.1));
    const c = posteriorCounts(logprobs([p(2), p(0), p(0), p(2), p(1), p(1), p(2), p(0), p(2), p(2)]), 2);
    expect(c).toEqual({ frames: 10, tokens: 3, spanFrames: 7, spanBlankFrames: 2 });
    expect(posteriorCounts(logprobs([p(2), p(2)]), 2)).toEqual({ frames: 2, tokens: 0, spanFrames: 0, spanBlankFrames: 0 });
  });

  it('leading and trailing silence do not change blank_share and token_rate', () => {
    const speech = { frames: 50, tokens: 10, spanFrames: 40, spanBlankFrames: 10 };
    const padded = { frames: 150, tokens: 10, spanFrames: 40, spanBlankFrames: 10 }; // 2 s more of silence
    const a = selectorExtras(['confidence', 'blank_share', 'token_rate'], [memberSpanSums(speech, 1)], null);
    const b = selectorExtras(['confidence', 'blank_share', 'token_rate'], [memberSpanSums(padded, 3)], null);
    expect(a).toEqual([0.25, 10 / 0.8]);
    expect(b).toEqual(a);
  });

  it('accumulates segments into the same values as selectorExtras of the summed spans', () => {
    const acc = new SelectorFeatureAccumulator(['confidence', 'blank_share', 'token_rate'], 2);
    acc.add(1, [
      { frames: 50, tokens: 3, spanFrames: 20, spanBlankFrames: 5 },
      { frames: 50, tokens: 0, spanFrames: 0, spanBlankFrames: 0 },
    ]);
    acc.add(2, [
      { frames: 100, tokens: 1, spanFrames: 10, spanBlankFrames: 1 },
      { frames: 100, tokens: 4, spanFrames: 50, spanBlankFrames: 10 },
    ]);
    // member 0: span 30 frames (0.4 s + 0.2 s), 6 blank, 4 tokens; member 1: span 50 frames (1 s), 10 blank, 4 tokens
    const row = acc.row([0.9, 0.1]);
    expect(row.slice(0, 4)).toEqual([0.9, 0.1, 6 / 30, 10 / 50]);
    expect(row[4]).toBeCloseTo(4 / 0.6, 12);
    expect(row[5]).toBeCloseTo(4 / 1, 12);
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
    // version 2 redefined the acoustic summary: a version-1 selector reading it is refused (its weights do not fit the new values);
    // version-1 selectors without it still load
    const acousticNames = selectorFeatureNames(['confidence', 'acoustic'], ['a', 'b']);
    const old = userErrorOf(() =>
      readSelectorFeatures({ version: 1, groups: ['confidence', 'acoustic'], names: acousticNames }, ['a', 'b'], acousticNames.length, 's'),
    );
    expect(old.message).toMatch(/acoustic summary of feature version 1, which this ctc-ensemble no longer computes.*rebuild the ensemble/);
    expect(old.code).toBe('E_SELECTOR_FEATURES');
    expect(readSelectorFeatures({ version: 2, groups: ['confidence', 'acoustic'], names: acousticNames }, ['a', 'b'], acousticNames.length, 's').version).toBe(
      2,
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
