/**
 * An event as an output record: typed arrays stay (wire's encoders write them as arrays), absent fields
 * are left out, and `topLogprobs` is written `top_logprobs` (OpenAI's and the CLI's name). So a token
 * event becomes `{ step, token, logprob, rank, top_logprobs?, id?, text? }`, and `softmaxFrames` /
 * `scoreTokens` events become the CLI's `softmax` / `score` records (a score record also carries `entropy`).
 * A generation's finish event becomes `{ finish_reason, steps, stop_sequence?, eos_token?, error? }`.
 */
export function toRecord(event: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event)) {
    if (v === undefined) continue;
    out[recordName(k)] = v;
  }
  return out;
}

/** Fields written under another name: OpenAI's `top_logprobs` and `finish_reason`, and their kin. */
function recordName(key: string): string {
  switch (key) {
    case "topLogprobs":
      return "top_logprobs";
    case "finishReason":
      return "finish_reason";
    case "stopSequence":
      return "stop_sequence";
    case "eosToken":
      return "eos_token";
    default:
      return key;
  }
}
