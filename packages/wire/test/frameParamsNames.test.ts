import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { readRows, WireError } from "../src/index.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("frame params written in snake_case", () => {
  it("reads OpenAI/vLLM names in NDJSON frames as the camelCase params", async () => {
    const text =
      '{"logits":[1,2],"params":{"top_p":0.5,"top_k":3,"logit_bias":{"1":-2},"repetition_penalty":1.1,"seed":7}}\n';
    const rows = [];
    for await (const r of readRows([utf8(text)], { format: "ndjson" })) rows.push(r);
    expect(rows[0]!.params).toEqual({
      topP: 0.5,
      topK: 3,
      logitBias: { "1": -2 },
      repetitionPenalty: 1.1,
      seed: 7,
    });
  });

  it("reads them in msgpack maps too", async () => {
    const bytes = new Packr({ useRecords: false }).pack({
      logits: [1, 2],
      params: { min_p: 0.1, top_n_sigma: 1 },
    });
    const rows = [];
    for await (const r of readRows([bytes], { format: "msgpack" })) rows.push(r);
    expect(rows[0]!.params).toEqual({ minP: 0.1, topNSigma: 1 });
  });

  it("rejects a parameter given both ways with a WireError naming the frame", async () => {
    const text = '[1,2]\n{"logits":[1,2],"params":{"top_p":0.5,"topP":0.5}}\n';
    const seen: number[] = [];
    let err: unknown;
    try {
      for await (const r of readRows([utf8(text)], { format: "ndjson" })) seen.push(r.row);
    } catch (e) {
      err = e;
    }
    expect(seen).toEqual([0]);
    expect(err).toBeInstanceOf(WireError);
    expect((err as WireError).frame).toBe(1);
    expect((err as Error).message).toMatch(/given twice/);
  });

  it("reports a __proto__ key as an unknown param, not as a converter error", async () => {
    const text = '{"logits":[1,2],"params":{"__proto__":{"temperature":0}}}\n';
    await expect(
      (async () => {
        for await (const _ of readRows([utf8(text)], { format: "ndjson" })) void _;
      })(),
    ).rejects.toThrow('unknown sampler param "__proto__"');
  });
});
