import { portableExp } from "../portableExp.js";

/**
 * `exp(x)` for any x from the engine-independent `portableExp` (x ≤ 0) and an IEEE division (x > 0),
 * so mirostat's k and μ are the same numbers in every engine.
 *
 * @param x - Any number.
 * @returns e^x (Infinity above ~709.78).
 * @example
 * ```ts
 * expAny(1); // 2.718281828459045
 * ```
 */
export function expAny(x: number): number {
  return x <= 0 ? portableExp(x) : 1 / portableExp(-x);
}
