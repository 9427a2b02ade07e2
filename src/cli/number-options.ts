/**
 * Numeric command-line values, parsed one way everywhere (one error shape). Kept apart from options.ts, which
 * imports the ensemble and ONNX Runtime: a command that only needs numbers (`ensemble lm …`) then starts without
 * loading them (~0.3 s of CPU at start-up).
 */
import { UserError } from '../util/errors.js';

export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
}

/** Parse a numeric option value; a UserError naming the option and the expected range otherwise. */
export function numberOption(name: string, raw: string, rule: NumberRule = {}): number {
  const v = Number(raw);
  const { integer = false, min = -Infinity, max = Infinity } = rule;
  if (raw.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    const kind = integer ? 'an integer' : 'a number';
    const range = min > -Infinity && max < Infinity ? ` from ${min} to ${max}` : min > -Infinity ? ` ≥ ${min}` : max < Infinity ? ` ≤ ${max}` : '';
    throw new UserError(`${name} must be ${kind}${range}, got ${JSON.stringify(raw)}`);
  }
  return v;
}

/** `numberOption` as a commander argument parser. */
export function numberArg(name: string, rule: NumberRule = {}): (raw: string) => number {
  return (raw) => numberOption(name, raw, rule);
}

/** The option's value when given, else undefined. */
export function optionalNumber(name: string, raw: string | undefined, rule: NumberRule = {}): number | undefined {
  return raw === undefined ? undefined : numberOption(name, raw, rule);
}

/** "0,0.5,1" → numbers, each checked by `rule`. */
export function numberList(name: string, raw: string, rule: NumberRule = {}): number[] {
  const parts = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) throw new UserError(`${name} must be a comma-separated list of numbers, got ${JSON.stringify(raw)}`);
  return parts.map((p) => numberOption(name, p, rule));
}
