import { describe, expect, it } from "vitest";
import { readRows, WireError } from "../src/index.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

async function paramsOf(text: string): Promise<unknown> {
  const rows = [];
  for await (const r of readRows([utf8(text)], { format: "ndjson" })) rows.push(r);
  return rows[0]!.params;
}

describe("frame params of the second-round sampler stages", () => {
  it("reads their snake_case names (llama.cpp server / Hugging Face spellings) as camelCase", async () => {
    const params = {
      xtc_probability: 0.5,
      xtc_threshold: 0.2,
      dry_multiplier: 0.8,
      dry_base: 1.75,
      dry_allowed_length: 2,
      dry_penalty_last_n: -1,
      dry_sequence_breakers: ["\n", ":"],
      mirostat: 2,
      mirostat_tau: 5,
      mirostat_eta: 0.1,
      dynatemp_range: 0.5,
      dynatemp_exponent: 1,
      epsilon_cutoff: 3e-4,
      eta_cutoff: 1e-3,
      no_repeat_ngram_size: 3,
      banned_sequences: ["foo", [1, 2]],
      min_tokens: 4,
    };
    expect(await paramsOf(`${JSON.stringify({ logits: [1, 2], params })}\n`)).toEqual({
      xtcProbability: 0.5,
      xtcThreshold: 0.2,
      dryMultiplier: 0.8,
      dryBase: 1.75,
      dryAllowedLength: 2,
      dryPenaltyLastN: -1,
      drySequenceBreakers: ["\n", ":"],
      mirostat: 2,
      mirostatTau: 5,
      mirostatEta: 0.1,
      dynatempRange: 0.5,
      dynatempExponent: 1,
      epsilonCutoff: 3e-4,
      etaCutoff: 1e-3,
      noRepeatNgramSize: 3,
      bannedSequences: ["foo", [1, 2]],
      minTokens: 4,
    });
  });

  it("rejects a malformed list or an out-of-range value with a WireError naming the frame", async () => {
    await expect(paramsOf('{"logits":[1],"params":{"banned_sequences":[{"x":1}]}}\n')).rejects.toThrow(
      WireError,
    );
    await expect(paramsOf('{"logits":[1],"params":{"dry_sequence_breakers":"\\n"}}\n')).rejects.toThrow(
      /drySequenceBreakers/,
    );
    await expect(paramsOf('{"logits":[1],"params":{"mirostat":4}}\n')).rejects.toThrow(/frame 0.*|mirostat/);
  });
});
