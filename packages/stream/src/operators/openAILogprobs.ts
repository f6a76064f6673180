import type { Tokenizer } from "@logitstream/core";
import { filter, map, type OperatorFunction } from "rxjs";
import { isFinishEvent } from "../isFinishEvent.js";
import { type LogprobEventLike, type OpenAITokenLogprob, toOpenAILogprob } from "../toOpenAILogprob.js";
import type { FinishEvent } from "../types.js";

/**
 * Token events → OpenAI chat/completions `logprobs.content` entries (`{ token, bytes, logprob,
 * top_logprobs }`), one per event: the records `--logprobs-format openai` writes. See
 * {@link toOpenAILogprob}.
 *
 * @param tokenizer - Anything with `tokenBytes(id)`.
 * @returns The operator.
 *
 * @example
 * ```ts
 * generate(model, ids, params, { logprobs: 2 }).pipe(openAILogprobs(tokenizer))
 * // → { token: " the", bytes: [32, 116, 104, 101], logprob: -1.2, top_logprobs: [ … 2 entries … ] }, …
 * ```
 */
export function openAILogprobs<T extends LogprobEventLike>(
  tokenizer: Pick<Tokenizer, "tokenBytes">,
): OperatorFunction<T | FinishEvent, OpenAITokenLogprob> {
  // One entry per token: a generation's finish event has no token, so it has no entry.
  return (source) =>
    source.pipe(
      filter((event): event is T => !isFinishEvent(event)),
      map((event) => toOpenAILogprob(event, tokenizer)),
    );
}
