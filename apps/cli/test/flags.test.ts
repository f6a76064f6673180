import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

describe("flags, help and version", () => {
  it("prints the version of the package with --version and exits 0", async () => {
    const r = await runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it("lists the five commands with --help", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["sample", "softmax", "score", "generate", "bench"])
      expect(r.stdout.toString()).toContain(`  ${c} `);
  });

  it("prints the command list on stderr and exits 2 when no command is given", async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toContain("Commands:");
  });

  it.each([
    [
      "sample",
      [
        "--top-p",
        "--seed",
        "--samplers",
        "--logprobs",
        "--threads",
        "--output",
        "--format",
        "--vocab",
        "--tensor",
      ],
    ],
    ["softmax", ["--log", "--temperature", "--top", "--format"]],
    ["score", ["--targets", "--top", "--threads", "--on-error"]],
    ["generate", ["--max-tokens", "--json", "--seed", "--top-k"]],
    ["bench", []],
  ])("shows the usage, flags with defaults and an example for `%s --help`", async (cmd, flags) => {
    const r = await runCli([cmd, "--help"]);
    expect(r.code).toBe(0);
    const text = r.stdout.toString();
    expect(text).toContain(`Usage: logitstream ${cmd}`);
    expect(text).toContain("Examples:");
    expect(text).toMatch(new RegExp(`\\n  logitstream ${cmd}`));
    for (const f of flags) expect(text).toContain(f);
    if (cmd === "sample") expect(text).toContain("(default: 1)");
  });

  it("exits 2 and names an unknown flag", async () => {
    const r = await runCli(["sample", "--top-q", "0.9"]);
    expect(r.code).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toBe("logitstream sample: unknown flag --top-q (see: logitstream sample --help)\n");
  });

  it("exits 2 and names a flag whose value is not a number", async () => {
    const r = await runCli(["sample", "--top-k", "many"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--top-k: expected an integer, got "many"');
  });

  it("exits 2 and names a flag given without its value", async () => {
    const r = await runCli(["softmax", "--top"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--top needs a value");
  });

  it("exits 2 for an --output that is not ndjson or msgpack", async () => {
    const r = await runCli(["sample", "--output", "csv"], { stdin: "[0, 1]\n" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--output: expected one of ndjson, msgpack; got "csv"');
  });

  it("exits 2 for an unknown --format", async () => {
    const r = await runCli(["score", "--format", "parquet"], { stdin: "[0, 1]\n" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--format: expected one of ndjson, msgpack, f32, f16, bf16, npy, safetensors");
  });

  it("exits 2 for raw float input without --vocab", async () => {
    const r = await runCli(["sample", "--format", "f32"], { stdin: new Uint8Array(8) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--vocab");
  });

  it("exits 2 for --threads 0", async () => {
    const r = await runCli(["score", "--threads", "0"], { stdin: "[0, 1]\n" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--threads: expected an integer in [1, 1024], got 0");
  });

  it("exits 2 for an unknown command and lists the commands", async () => {
    const r = await runCli(["smaple"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'unknown command "smaple"; commands: sample, softmax, score, compare, generate, logits, lens, bench, worker',
    );
  });

  it("exits 2 for stdin (-) given twice among the paths", async () => {
    const r = await runCli(["sample", "-", "-"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("stdin");
  });

  it("accepts -x=VALUE for every short flag that takes a value, as the ambiguity message advises", async () => {
    const rows = "[0.5, 2, -1]\n[3, 1, 1]\n";
    const long = await runCli(["sample", "--temperature", "0.5", "--seed", "3", "--top-k", "2"], {
      stdin: rows,
    });
    const short = await runCli(["sample", "-t=0.5", "-s=3", "-k=2"], { stdin: rows });
    expect(long.code).toBe(0);
    expect(short.stderr).toBe("");
    expect(short.code).toBe(0);
    expect(short.stdout.toString()).toBe(long.stdout.toString());
    // A value starting with "-": the form the message names works and reaches the range check (exit 2).
    const neg = await runCli(["sample", "-t", "-1"], { stdin: rows });
    expect(neg.stderr).toContain("-t=VALUE");
    const negEq = await runCli(["sample", "-t=-1"], { stdin: rows });
    expect(negEq.code).toBe(2);
    expect(negEq.stderr).toContain("--temperature");
    expect(negEq.stderr).not.toContain("expected a number");
  });

  it("exits 66 and names the path when the input file does not exist", async () => {
    const r = await runCli(["score", "/nonexistent/logits.npy"]);
    expect(r.code).toBe(66);
    expect(r.stderr).toBe("logitstream score: cannot open /nonexistent/logits.npy: no such file\n");
  });
});
