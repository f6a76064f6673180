// A flag error in `generate`, `logits` or text `score` must cost what `--help` costs: it is found from
// argv before the job is imported, so the model, the tokenizer, rxjs and the stream package (and the
// grammar compiler, unless the grammar itself is wrong) are never loaded. The CLI runs with a preload
// that records every module it loads (helpers/recordModules.mjs).
import { describe, expect, it } from "vitest";
import { loadedModules } from "./helpers/loadedModules.js";

/** What only a run that got past its flags may load. */
const JOB_MODULES: readonly [string, RegExp][] = [
  ["the n-gram model", /packages\/ngram\//],
  ["the tokenizer", /gpt-tokenizer/],
  ["rxjs", /\/rxjs\//],
  ["the stream package", /packages\/stream\//],
  ["the codecs", /packages\/wire\//],
  ["llama.cpp", /packages\/llama\/|node-llama-cpp/],
];

// [args, exit code, what stderr names, may the grammar package load]
const CASES: readonly [string[], number, RegExp, boolean][] = [
  [["generate", "The history of", "--max-tokens", "0"], 2, /--max-tokens/, false],
  [["generate", "x", "--temperature=-1"], 2, /--temperature/, false],
  [["generate", "x", "--top-p=1.5"], 2, /--top-p/, false],
  [["generate", "x", "--logprobs", "3"], 2, /--logprobs: only with --json/, false],
  [["generate", "--prompt-file", "/nonexistent/prompt.txt"], 66, /prompt file/, false],
  [["generate", "x", "--regex", "["], 65, /regex at offset 0/, true],
  [["logits", "--model", "ngram", "-o", "out.txt"], 2, /-o out\.txt/, false],
  [["logits", "--model", "ngram", "-o", "out.npy", "--dtype", "bf16"], 2, /--dtype bf16/, false],
  [["logits", "--model", "ngram", "-o", "-", "--context", "4", "--stride", "8"], 2, /--stride 8/, false],
  [["score", "--model", "ngram", "--context", "5", "--stride", "10"], 2, /--stride 10/, false],
];

describe("flag errors are found before the job is loaded", () => {
  it("a run that gets past its flags does load them (so the checks below can fail)", async () => {
    const r = await loadedModules(["generate", "The", "--max-tokens", "1", "--seed", "1"]);
    expect(r.code, r.stderr).toBe(0);
    for (const [what, re] of JOB_MODULES.filter(([w]) => w !== "llama.cpp" && w !== "the codecs"))
      expect(r.modules, `did not see ${what}`).toMatch(re);
  });

  it.each(CASES)(
    "%j exits %i before loading the model, tokenizer, rxjs or codecs",
    async (args, code, says, grammar) => {
      const r = await loadedModules(args);
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toMatch(says);
      // The preload saw the run (the checks below cannot pass on an empty log).
      expect(r.modules).toMatch(/apps\/cli\/dist\/main\.js/);
      for (const [what, re] of JOB_MODULES) expect(r.modules, `loaded ${what}`).not.toMatch(re);
      if (!grammar) expect(r.modules, "loaded the grammar compiler").not.toMatch(/packages\/grammar\//);
    },
  );
});
