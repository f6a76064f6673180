import { InvalidTargetError } from "./errors.js";

/**
 * Validates a target token id for a row of V logits and returns it.
 *
 * @param target - Token id; must be an integer in [0, vocab).
 * @param vocab - Row length V.
 * @param row - Global row index named in the error (-1 when unknown).
 * @returns `target`, unchanged.
 * @throws {InvalidTargetError} when `target` is not an integer in [0, vocab).
 *
 * @example
 * ```ts
 * checkTarget(3, 10, 0);  // 3
 * checkTarget(10, 10, 4); // throws InvalidTargetError: "row 4: target 10 is not a token id in [0, 10)…"
 * ```
 */
export function checkTarget(target: number, vocab: number, row: number): number {
  if (!Number.isInteger(target) || target < 0 || target >= vocab) {
    throw new InvalidTargetError(row, target, vocab);
  }
  return target;
}
