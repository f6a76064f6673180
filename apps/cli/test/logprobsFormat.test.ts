import { BpeTokenizer } from "@logitstream/ngram";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

const args = ["generate", "It was", "--json", "--logprobs", "2", "--max-tokens", "3", "--temperature", "0"];
const lines = (b: Buffer | string) =>
  b
    .toString()
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

describe("generate --logprobs-format openai", () => {
  it("writes OpenAI's logprobs entries: the same tokens and logprobs as the native events, with text and bytes", async () => {
    const native = await runCli(args);
    const openai = await runCli([...args, "--logprobs-format", "openai"]);
    expect([native.code, openai.code]).toEqual([0, 0]);
    // Both end with the same finish record (why the text ended); the entries come before it.
    const n = lines(native.stdout);
    const o = lines(openai.stdout);
    expect(o).toHaveLength(n.length);
    expect(o.pop()).toEqual(n.pop());
    expect(n.at(-1)).toHaveProperty("token");
    const tok = new BpeTokenizer();
    o.forEach((entry, i) => {
      expect(Object.keys(entry)).toEqual(["token", "bytes", "logprob", "top_logprobs"]);
      expect(entry.logprob).toBe(n[i].logprob);
      expect(entry.bytes).toEqual(Array.from(tok.tokenBytes(n[i].token)));
      expect(entry.token).toBe(new TextDecoder().decode(tok.tokenBytes(n[i].token)));
      expect(entry.top_logprobs).toEqual(
        n[i].top_logprobs.map((t: { token: number; logprob: number }) => ({
          token: new TextDecoder().decode(tok.tokenBytes(t.token)),
          bytes: Array.from(tok.tokenBytes(t.token)),
          logprob: t.logprob,
        })),
      );
    });
  });

  it.each([
    [["generate", "x", "--logprobs-format", "openai"], "only with --json"],
    [["generate", "x", "--json", "--logprobs-format", "xml"], "expected one of native, openai"],
  ])("%j is a bad flag (exit 2)", async (argv, message) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr.toString()).toContain(message);
  });
});
