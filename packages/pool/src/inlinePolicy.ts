/**
 * Inline thresholds, in logit elements (rows × vocab), from bench/overhead.bench.mjs (packages/pool/BENCHMARKS.md
 * has the runs: first task of a cold pool 145 ms with 1 thread, 176 ms with 2; one
 * V = 128,256 row inline: sample T 0.8 top-p 0.9 1,039 µs, score 203 µs; warm round trip 203 µs).
 *
 * - Cold (workers not started): starting them is a one-off cost, so this is ski rental — run inline
 *   until the work run inline so far would have paid for the start-up, then start the workers. With
 *   sample's cost per row (the op that gains most from the workers) that is 145 ms / 1.04 ms ≈ 140 rows
 *   of 128,256; score's would be ~700. 128 rows it is. (Splitting one job over 2 threads beats running
 *   it inline only from E ≥ overhead / (c·(1 − 1/T)): 279 rows for sample, ~1,400 for score.)
 * - Warm (overhead = one task's round trip, 203 µs): a single task breaks even at ≈ 50,000 elements for
 *   sample and ≈ 256,000 for score; tasks within 8,192 elements still run inline. Kept well below the
 *   break-even because a stream overlaps its round trips (86 µs per task with many in flight), so the
 *   workers pay off sooner for a stream of small chunks than for one task waited on.
 */
export const DEFAULT_INLINE_THRESHOLD = 128 * 128_256;
export const WARM_INLINE_THRESHOLD = 8_192;

/**
 * Decides where a call's work runs: inline on the calling thread, or on the workers.
 *
 * - Before the workers have started, work runs inline until the elements run inline so far would exceed
 *   `inlineThreshold` (default DEFAULT_INLINE_THRESHOLD); the first call beyond it starts the workers.
 * - Once they have started, a task of at most min(inlineThreshold, WARM_INLINE_THRESHOLD) elements still
 *   runs inline: its round trip would cost more than it saves.
 * - An empty task always runs inline. `inlineThreshold: 0` therefore sends every non-empty task to the
 *   workers (what a server wants: the event loop never computes); Infinity keeps everything inline.
 */
export class InlinePolicy {
  readonly #threshold: number;
  readonly #warmThreshold: number;
  #spent = 0; // elements run inline before the workers started

  constructor(inlineThreshold: number | undefined) {
    this.#threshold = inlineThreshold ?? DEFAULT_INLINE_THRESHOLD;
    this.#warmThreshold = Math.min(this.#threshold, WARM_INLINE_THRESHOLD);
  }

  /** Tasks below this many elements cost more on a worker than inline (the smallest part of a split). */
  get warmThreshold(): number {
    return this.#warmThreshold;
  }

  /** Whether `elements` of work run inline, given whether the workers have `started`; counts them if so. */
  inline(elements: number, started: boolean): boolean {
    if (elements === 0) return true;
    if (!started && this.#spent + elements <= this.#threshold) {
      this.#spent += elements;
      return true;
    }
    return elements <= this.#warmThreshold;
  }
}
