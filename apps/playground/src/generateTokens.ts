import { createSampler, type LogitSource, type SamplerParams, type Tokenizer } from "@logitstream/core";

/** One generated token, as the page colours and explains it. */
export interface GeneratedToken {
  token: number;
  /** The text this token completed (a token that ends inside a character adds its text later). */
  text: string;
  /** Raw probability of the token (softmax of the untouched logits). */
  prob: number;
  /** The most likely alternatives under the raw distribution, most likely first. */
  alternatives: { token: number; prob: number }[];
}

/** Options of {@link generateTokens}. */
export interface GenerateOptions {
  maxTokens: number;
  /** How many alternatives each token reports (default 5). */
  alternatives?: number;
  /** Stops before the next token when aborted. */
  signal?: AbortSignal;
}

/**
 * The generate loop of `logitstream generate`, token by token: the prompt is encoded, then each step
 * asks the model for the next row, samples it with core's sampler (request stream 0, step = position,
 * so a seed gives the CLI's tokens), stops at the model's EOS (not emitted) or after `maxTokens`. Text
 * is decoded across token boundaries, so multi-byte characters split over tokens come out whole.
 * Yields to the event loop between tokens so the page stays responsive.
 *
 * @param model - The logit source (the embedded n-gram model in the page).
 * @param tokenizer - Its tokenizer.
 * @param prompt - The prompt text.
 * @param params - Sampler params.
 * @param opts - Limits and cancellation.
 * @example
 * ```ts
 * for await (const t of generateTokens(model, tokenizer, "The history of", { seed: 7 }, { maxTokens: 5 })) out += t.text;
 * ```
 */
export async function* generateTokens(
  model: LogitSource,
  tokenizer: Pick<Tokenizer, "encode" | "tokenBytes">,
  prompt: string,
  params: SamplerParams,
  opts: GenerateOptions,
): AsyncGenerator<GeneratedToken> {
  const sampler = createSampler(params, { stream: 0 });
  const context = prompt === "" ? [] : Array.from(tokenizer.encode(prompt));
  const decoder = new TextDecoder();
  const n = opts.alternatives ?? 5;
  for (let step = 0; step < opts.maxTokens; step++) {
    if (opts.signal?.aborted) return;
    const logits = await model.next(Int32Array.from(context));
    const r = sampler.sample(logits, { logprobs: n });
    if (r.token === model.eosId) return;
    context.push(r.token);
    yield {
      token: r.token,
      text: decoder.decode(tokenizer.tokenBytes(r.token), { stream: true }),
      prob: Math.exp(r.logprob),
      alternatives: (r.topLogprobs ?? []).map((a) => ({ token: a.token, prob: Math.exp(a.logprob) })),
    };
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
