import type { Tokenizer, TopLogprob } from "@logitstream/core";

/** One `top_logprobs` entry in OpenAI's chat/completions shape. */
export interface OpenAITopLogprob {
  /** The token's text: its bytes decoded as UTF-8 (a token that ends inside a character gets U+FFFD). */
  token: string;
  /** The token's exact bytes (what to concatenate to rebuild the text byte for byte). */
  bytes: number[];
  /** log p under the raw distribution; `-Infinity` is written -9999, as OpenAI and vLLM write it. */
  logprob: number;
}

/** One token of OpenAI's chat/completions `logprobs.content` array. */
export interface OpenAITokenLogprob extends OpenAITopLogprob {
  /** The most likely tokens at this position, most likely first (empty when none were asked for). */
  top_logprobs: OpenAITopLogprob[];
}

/** What {@link toOpenAILogprob} needs from a token event. */
export interface LogprobEventLike {
  token: number;
  logprob: number;
  topLogprobs?: readonly TopLogprob[] | undefined;
}

/** The log-probability OpenAI's API writes for an impossible token (JSON has no -Infinity). */
export const OPENAI_MIN_LOGPROB = -9999;

const decoder = new TextDecoder("utf-8");

/**
 * A token event in OpenAI's chat/completions `logprobs.content[i]` shape — `{ token, bytes, logprob,
 * top_logprobs: [{ token, bytes, logprob }] }` — so code that parses OpenAI's (or vLLM's OpenAI-compatible)
 * responses reads ours unchanged. Text comes from the tokenizer's bytes: `bytes` is exact, `token` is
 * those bytes decoded on their own (a token that ends inside a multi-byte character shows U+FFFD there;
 * concatenate `bytes`, or use `decodeText`, for the exact text).
 *
 * @param event - A token event (`generate`, `sampleTokens`): `token`, `logprob`, optional `topLogprobs`.
 * @param tokenizer - Anything with `tokenBytes(id)`.
 * @returns The OpenAI-shaped entry.
 *
 * @example
 * ```ts
 * toOpenAILogprob({ token: 15339, logprob: -0.25, topLogprobs: [{ token: 15339, logprob: -0.25 }] }, tok);
 * // { token: "hello", bytes: [104, 101, 108, 108, 111], logprob: -0.25,
 * //   top_logprobs: [{ token: "hello", bytes: [104, 101, 108, 108, 111], logprob: -0.25 }] }
 * ```
 */
export function toOpenAILogprob(
  event: LogprobEventLike,
  tokenizer: Pick<Tokenizer, "tokenBytes">,
): OpenAITokenLogprob {
  const head = entry(event.token, event.logprob, tokenizer);
  const top: OpenAITopLogprob[] = [];
  for (const t of event.topLogprobs ?? []) top.push(entry(t.token, t.logprob, tokenizer));
  return { token: head.token, bytes: head.bytes, logprob: head.logprob, top_logprobs: top };
}

function entry(id: number, logprob: number, tokenizer: Pick<Tokenizer, "tokenBytes">): OpenAITopLogprob {
  const b = tokenizer.tokenBytes(id);
  return {
    token: decoder.decode(b),
    bytes: Array.from(b),
    logprob: logprob === Number.NEGATIVE_INFINITY ? OPENAI_MIN_LOGPROB : logprob,
  };
}
