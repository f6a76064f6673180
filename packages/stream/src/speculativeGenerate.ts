import type { LogitSource } from "@logitstream/core";
import {
  InvalidParamsError,
  logSumExpStrided,
  softmaxStrided,
  speculativeAccept,
  uniform,
} from "@logitstream/core";
import { Observable } from "rxjs";
import { SourceError } from "./errors.js";
import type { TokenEvent } from "./types.js";

/** Options of {@link speculativeGenerate}. */
export interface SpeculativeGenerateOptions {
  /** Draft tokens proposed per round, integer ≥ 1. Default 4. */
  draftTokens?: number;
  /** Temperature of both models (finite ≥ 0; 0 = greedy target). Default 1. */
  temperature?: number;
  /** RNG seed, integer in [0, 2^32). Default 0. */
  seed?: number;
  /** RNG stream (request id). Default 0. */
  stream?: number;
  /** Complete after this many tokens. Default: no limit. */
  maxTokens?: number;
  /** Complete (without emitting it) when the target's `eosId` is produced. Default true. */
  stopAtEos?: boolean;
}

/** The draft model draws with a key of its own, so its choices never reuse the acceptance test's bits. */
const DRAFT_SEED_OFFSET = 0x9e3779b9;

/**
 * Speculative decoding as a token stream: a small `draft` model proposes k tokens, the `target` model
 * scores them, and core's `speculativeAccept` keeps a prefix plus one token — so the emitted tokens are
 * distributed exactly as sampling the target alone at `temperature` (seeded, reproducible).
 *
 * Method, per round at position s: the draft draws x_j from q_j = softmax(draft row / T) with
 * `uniform((seed + 0x9E3779B9) mod 2^32, stream, s + j)`; the target gives its rows for the context
 * extended by x_0 … x_(j−1), j = 0 … k; `speculativeAccept` (acceptance draws at steps s + j) returns the
 * tokens. Only the temperature is supported (a filter would have to be applied identically to both
 * models' distributions). `LogitSource` asks for one row per call, so the target is still called k + 1
 * times per round: this gives the exact output distribution, not a speed-up — that needs a source that
 * scores k tokens in one call.
 *
 * @param target - The model whose distribution the output follows.
 * @param draft - The proposal model (same vocabulary).
 * @param prompt - Prompt token ids.
 * @param options - See {@link SpeculativeGenerateOptions}.
 * @returns A cold Observable of token events (`logprob` and `rank` under the target's raw row).
 * @throws {InvalidParamsError} on bad options or different vocabularies.
 *
 * @example
 * speculativeGenerate(bigModel, smallModel, promptIds, { draftTokens: 4, temperature: 0.8, seed: 7, maxTokens: 64 })
 *
 * References: Leviathan, Kalman & Matias 2023; Chen et al. 2023 (speculative sampling).
 */
export function speculativeGenerate(
  target: LogitSource,
  draft: LogitSource,
  prompt: ArrayLike<number>,
  options: SpeculativeGenerateOptions = {},
): Observable<TokenEvent> {
  const v = target.vocabSize;
  const k = options.draftTokens ?? 4;
  const t = options.temperature ?? 1;
  const seed = options.seed ?? 0;
  const stream = options.stream ?? 0;
  const maxTokens = options.maxTokens ?? Number.POSITIVE_INFINITY;
  const eosId = options.stopAtEos === false ? undefined : target.eosId;
  if (draft.vocabSize !== v) {
    throw new InvalidParamsError("draft", `vocabulary ${draft.vocabSize} differs from the target's ${v}`);
  }
  if (!(Number.isInteger(k) && k >= 1))
    throw new InvalidParamsError("draftTokens", `must be an integer ≥ 1, got ${k}`);
  if (!(t >= 0 && Number.isFinite(t)))
    throw new InvalidParamsError("temperature", `must be a finite number ≥ 0, got ${t}`);
  const draftSeed = (seed + DRAFT_SEED_OFFSET) % 4294967296;

  return new Observable<TokenEvent>((subscriber) => {
    const controller = new AbortController();
    const context: number[] = Array.from(prompt);
    const q = new Float32Array(k * v);
    const targetRows = new Float32Array((k + 1) * v);
    const proposal: number[] = [];
    let step = 0;
    const ask = async (source: LogitSource, ctx: number[], what: string): Promise<Float32Array> => {
      let row: Float32Array;
      try {
        row = await source.next(ctx, controller.signal);
      } catch (err) {
        throw new SourceError(step, `${what}: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
        });
      }
      if (!(row instanceof Float32Array) || row.length !== v) {
        throw new SourceError(step, `${what} returned a row that is not a Float32Array of length ${v}`);
      }
      return row;
    };
    const loop = async (): Promise<void> => {
      while (!subscriber.closed) {
        proposal.length = 0;
        const ctx = context.slice();
        for (let j = 0; j < k; j++) {
          const row = await ask(draft, ctx, "draft");
          // q_j: the draft's distribution at T (T = 0: one-hot, as softmax's greedy limit)
          softmaxStrided({
            data: row,
            offset: 0,
            length: v,
            out: q,
            outOffset: j * v,
            temperature: t,
            row: -1,
          });
          const x = drawFrom(q, j * v, v, uniform(draftSeed, stream, step + j));
          proposal.push(x);
          ctx.push(x);
        }
        const tctx = context.slice();
        for (let j = 0; j <= k; j++) {
          targetRows.set(await ask(target, tctx, "target"), j * v);
          if (j < k) tctx.push(proposal[j]!);
        }
        if (subscriber.closed) return;
        const r = speculativeAccept({
          draftTokens: proposal,
          draftProbs: q,
          targetLogits: targetRows,
          vocab: v,
          temperature: t,
          seed,
          stream,
          step,
        });
        for (let j = 0; j < r.tokens.length; j++) {
          const token = r.tokens[j]!;
          if (token === eosId) {
            subscriber.complete();
            return;
          }
          const off = j * v;
          const lse = logSumExpStrided({ data: targetRows, offset: off, length: v, temperature: 1, row: -1 });
          let rank = 1;
          const ut = targetRows[off + token]!;
          for (let i = 0; i < v; i++) if (targetRows[off + i]! > ut) rank++;
          subscriber.next({ step, token, logprob: ut - lse, rank });
          context.push(token);
          step++;
          if (subscriber.closed) return;
          if (step >= maxTokens) {
            subscriber.complete();
            return;
          }
        }
      }
    };
    if (maxTokens <= 0) subscriber.complete();
    else loop().catch((err: unknown) => subscriber.error(err));
    return () => controller.abort();
  });
}

function drawFrom(q: Float32Array, off: number, v: number, u: number): number {
  let z = 0;
  for (let i = 0; i < v; i++) z += q[off + i]!;
  const target = u * z;
  let cum = 0;
  let last = 0;
  for (let i = 0; i < v; i++) {
    const w = q[off + i]!;
    if (w > 0) {
      cum += w;
      last = i;
      if (cum > target) return i;
    }
  }
  return last;
}
