import type { AbortSignalLike, LogitSource } from "@logitstream/core";
import { guidance } from "@logitstream/core";
import { StreamUsageError } from "./errors.js";

/** Options of {@link guidedSource}. */
export interface GuidedSourceOptions {
  /** Guidance scale γ, finite (1 = the conditional model unchanged; 1.5 typical). */
  scale: number;
  /**
   * The context the unconditional source sees for a given conditional context. Default: the same
   * context. Typical: the negative (or empty) prompt followed by the tokens generated so far, e.g.
   * `(ctx) => [...negativePrompt, ...Array.from(ctx).slice(prompt.length)]`.
   */
  unconditionalContext?: (context: ArrayLike<number>) => ArrayLike<number>;
}

/**
 * Pairs two logit sources into one with classifier-free guidance: each step asks both for their row
 * and returns `guidance(conditional, unconditional, scale)` — log-softmax of each, then
 * `u + γ(c − u)` (see core's `guidance`). The result is an ordinary `LogitSource`, so `generate`, the
 * samplers and every operator use it unchanged.
 *
 * @param conditional - The source with the full prompt; its `eosId` is the pair's.
 * @param unconditional - The source without the guidance text (often the same model); same vocabulary.
 * @param options - Scale and how to build the unconditional context.
 * @returns A `LogitSource`; its rows are reused between calls (consume a row before the next call).
 * @throws {StreamUsageError} when the vocabularies differ.
 *
 * @example
 * const guided = guidedSource(model, model, {
 *   scale: 1.5,
 *   unconditionalContext: (ctx) => Array.from(ctx).slice(prompt.length), // no prompt at all
 * });
 * generate(guided, prompt, { temperature: 0.7, seed: 1 }).subscribe(...);
 *
 * References: Sanchez et al. 2023, "Stay on topic with Classifier-Free Guidance".
 */
export function guidedSource(
  conditional: LogitSource,
  unconditional: LogitSource,
  options: GuidedSourceOptions,
): LogitSource {
  const v = conditional.vocabSize;
  if (unconditional.vocabSize !== v) {
    throw new StreamUsageError(
      `guidedSource: the sources' vocabularies differ (${v} and ${unconditional.vocabSize}); guidance needs one vocabulary`,
    );
  }
  const scale = options.scale;
  if (!Number.isFinite(scale)) throw new StreamUsageError(`guidedSource: scale must be finite, got ${scale}`);
  const uncondContext = options.unconditionalContext ?? ((c: ArrayLike<number>) => c);
  const cond = new Float32Array(v);
  const out = new Float32Array(v);
  const combine = (c: Float32Array, u: Float32Array): Float32Array => guidance(c, u, scale, out);
  const source: LogitSource = {
    vocabSize: v,
    next(context: ArrayLike<number>, signal?: AbortSignalLike): Float32Array | Promise<Float32Array> {
      const c = conditional.next(context, signal);
      if (c instanceof Promise) {
        return c.then((row) => {
          // Copy before asking the second source: the first may reuse its row buffer (same model).
          cond.set(row);
          return Promise.resolve(unconditional.next(uncondContext(context), signal)).then((u) =>
            combine(cond, u),
          );
        });
      }
      cond.set(c);
      const u = unconditional.next(uncondContext(context), signal);
      return u instanceof Promise ? u.then((row) => combine(cond, row)) : combine(cond, u);
    },
  };
  if (conditional.eosId !== undefined) (source as { eosId?: number }).eosId = conditional.eosId;
  return source;
}
