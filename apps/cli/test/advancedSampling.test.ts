import { describe, expect, it } from "vitest";
import { addAdvancedSamplerParams } from "../src/advancedSamplingFlags.js";
import { parseFlags } from "../src/flags.js";
import { samplingFlags } from "../src/sharedFlags.js";
import { runCli } from "./helpers/cli.js";
import { ndjsonArrays } from "./helpers/fixtures.js";

const L = Math.log;

describe("the second-round sampler flags (llama.cpp's names)", () => {
  it("parse into core's SamplerParams", () => {
    const args = parseFlags(
      [
        "--xtc-probability",
        "0.5",
        "--xtc-threshold",
        "0.2",
        "--dry-multiplier",
        "0.8",
        "--dry-base",
        "2",
        "--dry-allowed-length",
        "3",
        "--dry-penalty-last-n",
        "64",
        "--dry-sequence-breaker",
        "\\n",
        "--dry-sequence-breaker",
        "###",
        "--mirostat",
        "2",
        "--mirostat-lr",
        "0.2",
        "--mirostat-ent",
        "4",
        "--dynatemp-range",
        "0.3",
        "--dynatemp-exp",
        "2",
        "--epsilon-cutoff",
        "3e-4",
        "--eta-cutoff",
        "1e-3",
        "--no-repeat-ngram-size",
        "3",
        "--banned-sequence",
        "foo",
        "--banned-ids",
        "1,2,3",
        "--min-tokens",
        "5",
      ],
      samplingFlags,
      0,
    );
    const p = {};
    addAdvancedSamplerParams(args, p);
    expect(p).toEqual({
      xtcProbability: 0.5,
      xtcThreshold: 0.2,
      dryMultiplier: 0.8,
      dryBase: 2,
      dryAllowedLength: 3,
      dryPenaltyLastN: 64,
      drySequenceBreakers: ["\n", "###"],
      mirostat: 2,
      mirostatEta: 0.2,
      mirostatTau: 4,
      dynatempRange: 0.3,
      dynatempExponent: 2,
      epsilonCutoff: 3e-4,
      etaCutoff: 1e-3,
      noRepeatNgramSize: 3,
      bannedSequences: ["foo", [1, 2, 3]],
      minTokens: 5,
    });
    const none = {};
    addAdvancedSamplerParams(parseFlags(["--dry-sequence-breaker", "none"], samplingFlags, 0), none);
    expect(none).toEqual({ drySequenceBreakers: [] });
  });

  it("sample --xtc-probability 1 removes the top choices (worked row)", async () => {
    // p = [0.5, 0.3, 0.15, 0.05], threshold 0.1 → only tokens 2 and 3 remain; temperature 0 → 2
    const r = await runCli(
      ["sample", "--xtc-probability", "1", "--samplers", "xtc,temperature,dist", "-t", "0"],
      {
        stdin: ndjsonArrays([[L(0.5), L(0.3), L(0.15), L(0.05)]]),
      },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString()).token).toBe(2);
  });

  it("bad values are flag errors naming the flag (exit 2)", async () => {
    for (const [flag, value, text] of [
      ["--mirostat", "3", /--mirostat.*0 \(off\), 1 or 2/],
      ["--dry-base", "0.5", /--dry-base/],
      ["--banned-ids", "1,x", /--banned-ids/],
      ["--banned-sequence", "ab", /no tokenizer/],
      ["--min-tokens", "2", /applies to generate/],
    ] as const) {
      const r = await runCli(["sample", flag, value], { stdin: ndjsonArrays([[0, 1]]) });
      expect(r.code).toBe(2);
      expect(r.stderr.toString()).toMatch(text);
    }
  });

  it("generate takes them all and is reproducible", async () => {
    const args = [
      "generate",
      "The history of",
      "--max-tokens",
      "12",
      "--seed",
      "3",
      "--dry-multiplier",
      "0.8",
      "--no-repeat-ngram-size",
      "2",
      "--min-tokens",
      "4",
      "--mirostat",
      "2",
      "--banned-sequence",
      " the",
    ];
    const a = await runCli(args);
    const b = await runCli(args);
    expect(a.code).toBe(0);
    expect(a.stdout.toString().length).toBeGreaterThan(0);
    expect(b.stdout.toString()).toBe(a.stdout.toString());
  });
});
