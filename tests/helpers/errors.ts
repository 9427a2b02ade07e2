import { expect } from 'vitest';
import { UserError } from '../../src/util/errors.js';

/** The UserError `fn` throws (the test fails when it throws nothing or something else). */
export function userErrorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}
