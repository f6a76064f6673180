import { describe, expect, it } from "vitest";
import * as stream from "../src/index.js";

describe("@logitstream/stream public surface", () => {
  it("exports exactly the documented runtime names", () => {
    expect(Object.keys(stream).sort()).toEqual(
      [
        "InvalidUtf8Error",
        "SourceError",
        "StreamUsageError",
        "createPacer",
        "decodeText",
        "fromAsyncIterable",
        "generate",
        "generateWithCallbacks",
        "guidedSource",
        "openAILogprobs",
        "OPENAI_MIN_LOGPROB",
        "toOpenAILogprob",
        "isFinishEvent",
        "sampleTokens",
        "scoreTokens",
        "softmaxFrames",
        "speculativeGenerate",
        "stopWhen",
        "takeTokens",
        "cutAtStopSequences",
        "toAsyncIterable",
        "toRecord",
      ].sort(),
    );
  });

  it("keeps the Node stream adapters at @logitstream/stream/node", async () => {
    const node = await import("../src/node.js");
    expect(Object.keys(node).sort()).toEqual(
      [
        "fromReadable",
        "fromReadableBatches",
        "toMsgpackReadable",
        "toNdjsonReadable",
        "toTextReadable",
      ].sort(),
    );
  });

  it("gives every error a stable code and the logitstream base class", async () => {
    const { LogitstreamError } = await import("@logitstream/core");
    const errors = [
      new stream.InvalidUtf8Error(3, "token 9"),
      new stream.SourceError(2, "timeout"),
      new stream.StreamUsageError("x"),
    ];
    expect(errors.map((e) => e.code)).toEqual(["E_INVALID_UTF8", "E_SOURCE", "E_STREAM_USAGE"]);
    expect(errors.map((e) => e.name)).toEqual(["InvalidUtf8Error", "SourceError", "StreamUsageError"]);
    for (const e of errors) expect(e).toBeInstanceOf(LogitstreamError);
    expect(errors[0]!.message).toContain("step 3");
  });
});
