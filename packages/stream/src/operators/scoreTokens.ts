import { InvalidParamsError, scoreBatch, type TopLogprob } from "@logitstream/core";
import { Observable, type OperatorFunction } from "rxjs";
import { toBatch, topEntries } from "../internal/frames.js";
import { subscribeLinked } from "../internal/subscribeLinked.js";
import type { LogitFrame } from "../types.js";

/** Options of {@link scoreTokens}. */
export interface ScoreTokensOptions {
  /** Also report the N most likely tokens per row (`topLogprobs`), e.g. a distillation teacher. Default 0. */
  top?: number;
  /**
   * Targets by global row index, for frames that carry none (a frame's own `target` / `targets` win).
   * -1 or a missing entry: the row has no target and is scored by its entropy alone.
   */
  targets?: ArrayLike<number>;
}

/** One scored row (the CLI's `score` record). `target`, `logprob`, `rank` are absent for a row without target. */
export interface ScoreEvent {
  /** Global row index. */
  row: number;
  target?: number;
  /** log p(target) in nats. */
  logprob?: number;
  /** 1 + the number of tokens with a strictly higher logit than the target. */
  rank?: number;
  /** Entropy of the row's distribution in nats. */
  entropy: number;
  topLogprobs?: TopLogprob[];
  id?: unknown;
}

/**
 * Logit frames with target tokens → one {@link ScoreEvent} per row: the target's log-probability and
 * rank, and the row's entropy (core's `scoreBatch`: one fused pass per row). Sum `-logprob` over the
 * events for the NLL; `exp(mean NLL)` is the perplexity.
 *
 * @example
 * of({ logits: new Float32Array([0, Math.log(3)]), target: 1 }).pipe(scoreTokens())
 * // → { row: 0, target: 1, logprob: -0.287682 (ln 3/4), rank: 1, entropy: 0.562335 }
 */
export function scoreTokens(options: ScoreTokensOptions = {}): OperatorFunction<LogitFrame, ScoreEvent> {
  const top = options.top ?? 0;
  if (!Number.isInteger(top) || top < 0)
    throw new InvalidParamsError("top", `must be an integer ≥ 0, got ${top}`);
  const extra = options.targets;
  return (source) =>
    new Observable<ScoreEvent>((subscriber) => {
      let nextRow = 0;
      subscribeLinked(source, subscriber, {
        next(frame) {
          const b = toBatch(frame, nextRow);
          nextRow = b.firstRow + b.rows;
          const targets = new Int32Array(b.rows).fill(-1);
          for (let r = 0; r < b.rows; r++) {
            const t = b.targets !== undefined ? b.targets[r] : extra?.[b.firstRow + r];
            if (t !== undefined) targets[r] = t;
          }
          const res = scoreBatch(
            b.data,
            b.rows,
            b.vocab,
            targets,
            top > 0 ? { firstRow: b.firstRow, top } : { firstRow: b.firstRow },
          );
          for (let r = 0; r < b.rows && !subscriber.closed; r++) {
            const event: ScoreEvent = { row: b.firstRow + r, entropy: res.entropies[r]! };
            if (targets[r]! >= 0) {
              event.target = targets[r]!;
              event.logprob = res.logprobs[r]!;
              event.rank = res.ranks[r]!;
            }
            if (top > 0 && res.topTokens !== undefined && res.topLogprobs !== undefined) {
              event.topLogprobs = topEntries(res.topTokens, res.topLogprobs, r, Math.min(top, b.vocab));
            }
            if (b.ids !== undefined) event.id = b.ids[r];
            subscriber.next(event);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
