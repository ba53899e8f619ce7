/**
 * How bad input is refused: with an InvalidInputError of a given code naming the file and the field
 * (refusalOf), and, under seeded damage, only so (countOutcomes).
 */
import { expect } from 'vitest';
import { InvalidInputError } from '@shoutu/shared';
import { mulberry32, type Random } from '../../shared/src/kernels/test-random.js';

/**
 * The InvalidInputError `attempt` fails with (a promise, or a function run once), checked to have `code` and,
 * where given, `field` and `file`.
 */
export async function refusalOf(attempt: Promise<unknown> | (() => unknown), code: string, expected: { field?: string; file?: string } = {}): Promise<InvalidInputError> {
  const error = await (typeof attempt === 'function' ? Promise.resolve().then(attempt) : attempt).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  const e = error as InvalidInputError;
  expect(e.code).toBe(code);
  if (expected.field !== undefined) expect(e.field).toBe(expected.field);
  if (expected.file !== undefined) expect(e.file).toBe(expected.file);
  return e;
}

/**
 * Seeded damage to a file: each case runs `attempt` on a damaged copy, which must succeed or fail with an
 * InvalidInputError that names the file (`name`, or `name:entry` for a file inside an archive) and a field; the outcomes (ok, or the error codes) are
 * counted so that a test can check the damage reached both sides.
 */
export async function countOutcomes(cases: number, seed: number, name: string, attempt: (random: Random) => unknown): Promise<Map<string, number>> {
  const outcomes = new Map<string, number>();
  for (let i = 0; i < cases; i++) {
    let outcome = 'ok';
    try {
      await attempt(mulberry32(seed + i * 7919));
    } catch (error) {
      expect(error, `case ${i}`).toBeInstanceOf(InvalidInputError);
      const e = error as InvalidInputError;
      expect(e.field, `case ${i}: ${e.message}`).toBeTruthy();
      expect(e.message.startsWith(`${name}:`), `case ${i}: ${e.message}`).toBe(true);
      outcome = e.code;
    }
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  return outcomes;
}
