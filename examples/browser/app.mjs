// The page's logic, without the DOM (so it also runs in Node, in the example's test).
import { softmax } from "@logitstream/core";
import { generate, isFinishEvent } from "@logitstream/stream";

/** The page's tiny vocabulary: a toy model over these words. */
export const WORDS = ["the", "cat", "sat", "on", "mat", "."];

/**
 * A toy model (core's LogitSource): after word w it strongly prefers WORDS[(w + 1) % V], so greedy
 * decoding walks the vocabulary in order; "." (the last word) is the end of text.
 */
export const toyModel = {
  vocabSize: WORDS.length,
  eosId: WORDS.length - 1,
  next(context) {
    const last = context.length > 0 ? context[context.length - 1] : -1;
    const row = new Float32Array(WORDS.length);
    for (let i = 0; i < row.length; i++) row[i] = i === (last + 1) % WORDS.length ? 3 : 0;
    return row;
  },
};

/**
 * Generates from `prompt` (word ids) with `params` and calls `onStep` with each token, its word, its
 * probability and the distribution it was drawn from: a `for await` over stream's generate.
 */
export async function run(prompt, params, onStep, { maxTokens = 8 } = {}) {
  const words = [];
  const context = [...prompt];
  for await (const ev of generate(toyModel, prompt, params, { maxTokens, logprobs: 3 })) {
    if (isFinishEvent(ev)) break; // the last event says why the generation ended
    const probs = softmax(toyModel.next(context), { temperature: params.temperature ?? 1 });
    context.push(ev.token);
    words.push(WORDS[ev.token]);
    onStep({
      step: ev.step,
      word: WORDS[ev.token],
      p: Math.exp(ev.logprob),
      probs,
      top: ev.topLogprobs ?? [],
    });
  }
  return words;
}
