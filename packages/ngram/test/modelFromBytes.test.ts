import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL_URL, loadModel, ModelFormatError, modelFromBytes } from "../src/index.js";

const gz = readFileSync(DEFAULT_MODEL_URL);

describe("modelFromBytes", () => {
  it("gives the same model as loadModel from the shipped gzip bytes and from the inflated bytes", async () => {
    const fromFile = loadModel();
    const fromGz = await modelFromBytes(new Uint8Array(gz));
    const fromRaw = await modelFromBytes(new Uint8Array(gunzipSync(gz)));
    expect(fromGz.vocabSize).toBe(fromFile.vocabSize);
    expect(fromGz.eosId).toBe(fromFile.eosId);
    // The same logits for a few contexts, bit for bit.
    for (const context of [[], [791], [791, 3925, 315]]) {
      const want = fromFile.next(context).slice();
      expect(fromGz.next(context)).toEqual(want);
      expect(fromRaw.next(context)).toEqual(want);
    }
  });

  it("rejects a damaged gzip stream and bytes that are not a model with ModelFormatError", async () => {
    const damaged = new Uint8Array(gz.subarray(0, 1000));
    await expect(modelFromBytes(damaged)).rejects.toThrow(ModelFormatError);
    await expect(
      modelFromBytes(new TextEncoder().encode("not a model, just some text here.....")),
    ).rejects.toThrow(/missing the "LSNG" magic/);
  });
});
