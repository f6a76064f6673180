import { philox4x32 } from "./rng.js";

// Module-level scratch (single-threaded per realm; never escapes).
const block = new Uint32Array(4);

/**
 * The second uniform of a Philox block: a float64 in [0, 1) from output words 2 and 3 of the same
 * Philox-4x32-10 block whose words 0 and 1 give {@link uniform}`(seed, stream, step)`.
 *
 * Stages that need a random decision besides the token draw (XTC's "apply this step?" coin, the
 * acceptance test of speculative decoding) use this number, so they never reuse the bits of the draw
 * `dist` makes at the same `(seed, stream, step)`, and they consume no extra counter: the draw a
 * chain makes at step s stays the same whether or not such a stage is in it.
 *
 * Exact mapping: with the block `(x0, x1, x2, x3) = philox4x32(seed, stream, step)`,
 * `auxUniform = (x2 · 2^21 + ⌊x3 / 2^11⌋) / 2^53` — 53 random bits, a multiple of 2^-53.
 *
 * @param seed - Integer in [0, 2^53).
 * @param stream - Integer in [0, 2^53).
 * @param step - Integer in [0, 2^53).
 * @returns A number u with 0 ≤ u < 1.
 *
 * @example
 * ```ts
 * auxUniform(0, 0, 0); // 0.7357127844834425  (= (0xbc57ac4c · 2^21 + (0x9b00dbd8 >>> 11)) / 2^53)
 * ```
 *
 * References: Salmon et al. 2011 (Philox: each output word of a block is an independent 32-bit draw).
 */
export function auxUniform(seed: number, stream: number, step: number): number {
  philox4x32(seed, stream, step, block);
  return (block[2]! * 2097152 + (block[3]! >>> 11)) / 9007199254740992;
}
