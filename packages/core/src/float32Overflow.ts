/**
 * The smallest float64 that rounds to +Infinity when stored in a Float32Array (float32's largest
 * finite value 3.4028234663852886e38 plus half an ulp): a stage that computes a logit in float64
 * checks `v >= F32_OVERFLOW` before storing it.
 *
 * @example
 * ```ts
 * Float32Array.of(F32_OVERFLOW)[0];              // Infinity
 * Float32Array.of(3.4028235677973362e38)[0];     // 3.4028234663852886e38
 * ```
 */
export const F32_OVERFLOW = 3.4028235677973366e38;
