/**
 * Counter-based random numbers: Philox-4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random numbers:
 * as easy as 1, 2, 3", SC 2011; reference implementation Random123 `philox.h`).
 *
 * A draw is a pure function of `(seed, stream, step)`: no hidden state, so the same seed gives the
 * same tokens for any batch size, any split of a job, any number of workers, in Node and in browsers.
 * Everything is 32-bit integer arithmetic (`Math.imul` for the low word; the high word of the
 * 32×32→64 product is assembled exactly from 16-bit halves), so no engine can round differently.
 *
 * Exact mapping used by {@link philox4x32} and {@link uniform} (each number must be an integer in
 * [0, 2^53)):
 * - key     = (seed mod 2^32, ⌊seed / 2^32⌋)
 * - counter = (step mod 2^32, ⌊step / 2^32⌋, stream mod 2^32, ⌊stream / 2^32⌋)
 * - uniform = (x0 · 2^21 + ⌊x1 / 2^11⌋) / 2^53, from the first two output words x0, x1 of the block:
 *   53 random bits, a float64 in [0, 1) on the 2^-53 grid.
 *
 * @module
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO32 = 4294967296;

// Module-level scratch for the one-block kernel (single-threaded per realm; never escapes).
const block = new Uint32Array(4);

/** High 32 bits of the unsigned 64-bit product a·b, exact (Hacker's Delight `mulhu`, 16-bit halves). */
function mulhi(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const t0 = al * bl; // < 2^32, exact in float64
  const t1 = ah * bl + (t0 >>> 16);
  const t2 = al * bh + (t1 & 0xffff);
  return (ah * bh + (t1 >>> 16) + (t2 >>> 16)) >>> 0;
}

/**
 * One Philox-4x32-10 block on raw words (the Random123 `philox4x32_R(10, ctr, key)` function).
 *
 * @param c0 - Counter word 0 (uint32); likewise `c1`..`c3`.
 * @param k0 - Key word 0 (uint32); likewise `k1`.
 * @param out - Receives the 4 output words.
 * @returns `out`.
 *
 * @example
 * ```ts
 * philox4x32Block(0, 0, 0, 0, 0, 0, new Uint32Array(4)); // Uint32Array [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
 * ```
 *
 * Method: 10 rounds of `(L0, R0, L1, R1) ← (mulhi(M1, R1) ⊕ L0' ⊕ k0, M1·R1, mulhi(M0, R0) ⊕ …)`
 * exactly as Random123's `_philox4x32round`, with the Weyl key bump (0x9E3779B9, 0xBB67AE85) between rounds.
 * References: Salmon et al. 2011; Random123 `include/Random123/philox.h` and `examples/kat_vectors`.
 */
export function philox4x32Block(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
): Uint32Array {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let r = 0; r < 10; r++) {
    if (r > 0) {
      key0 = (key0 + W0) >>> 0;
      key1 = (key1 + W1) >>> 0;
    }
    const hi0 = mulhi(M0, x0);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi(M1, x2);
    const lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
  return out;
}

/**
 * The Philox-4x32-10 block for `(seed, stream, step)` under the mapping documented at the top of this module.
 *
 * @param seed - Integer in [0, 2^53); usually a uint32.
 * @param stream - Integer in [0, 2^53): the global row index in a batch, or the request id in generation.
 * @param step - Integer in [0, 2^53): 0 in a batch, the token position in generation.
 * @param out - Optional 4-word output buffer (allocated when omitted).
 * @returns The 4 random uint32 words.
 *
 * @example
 * ```ts
 * philox4x32(0, 0, 0); // Uint32Array [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8] (the all-zero KAT)
 * ```
 */
export function philox4x32(seed: number, stream: number, step: number, out?: Uint32Array): Uint32Array {
  return philox4x32Block(
    step % TWO32,
    Math.floor(step / TWO32),
    stream % TWO32,
    Math.floor(stream / TWO32),
    seed % TWO32,
    Math.floor(seed / TWO32),
    out ?? new Uint32Array(4),
  );
}

/**
 * A uniform float64 in [0, 1) that is a pure function of `(seed, stream, step)`: 53 bits of one
 * Philox-4x32-10 block, `(x0 · 2^21 + ⌊x1 / 2^11⌋) / 2^53`. Allocation-free.
 *
 * @param seed - Integer in [0, 2^53).
 * @param stream - Integer in [0, 2^53).
 * @param step - Integer in [0, 2^53).
 * @returns A number u with 0 ≤ u < 1, a multiple of 2^-53.
 *
 * @example
 * ```ts
 * uniform(0, 0, 0); // 0.3990464708489645  (= (0x6627e8d5 · 2^21 + (0xe169c58d >>> 11)) / 2^53)
 * ```
 */
export function uniform(seed: number, stream: number, step: number): number {
  philox4x32(seed, stream, step, block);
  return (block[0]! * 2097152 + (block[1]! >>> 11)) / 9007199254740992;
}
