/**
 * An event as an output record: typed arrays stay (wire's encoders write them as arrays), absent fields
 * are left out, and `topLogprobs` is written `top_logprobs` (OpenAI's and the CLI's name). So a token
 * event becomes `{ step, token, logprob, rank, top_logprobs?, id?, text? }`, and `softmaxFrames` /
 * `scoreTokens` events become the CLI's `softmax` / `score` records (a score record also carries `entropy`).
 */
export function toRecord(event: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event)) {
    if (v === undefined) continue;
    out[k === "topLogprobs" ? "top_logprobs" : k] = v;
  }
  return out;
}
