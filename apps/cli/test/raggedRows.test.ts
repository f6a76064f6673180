// Rows of different lengths (issue #17 item 6): NDJSON and msgpack frames say how long their rows are,
// so a stream of multiple-choice items with 4 and 5 options works for softmax, sample and score, through
// the built CLI, for any --threads, inline and on the pool's workers. Expected values come from the
// float64 reference (helpers/reference.ts); sampled tokens are checked against the same rows padded with
// −∞ to one length (a banned token changes no probability, so the padded uniform stream — the path
// every uniform input takes — must give the same draw for each row's global index).
import { describe, expect, it } from "vitest";
import { lines, runCli } from "./helpers/cli.js";
import { msgpackFrames, rawF32, unpackAll } from "./helpers/fixtures.js";
import { refArgmax, refLogSoftmax, refRank, refSoftmax } from "./helpers/reference.js";
import { mulberry32, tempDir, writeFixture } from "./helpers/rows.js";
import { sized } from "./reliability/helpers.js";

const dir = tempDir();

/** 40 multiple-choice items: 4 options, then 5, alternating, then a run of 4s; float32-exact logits. */
const rnd = mulberry32(17);
const LENGTHS = [...Array.from({ length: 30 }, (_, i) => 4 + (i % 2)), 4, 4, 4, 4, 5, 5, 5, 4, 4, 5];
const ROWS = LENGTHS.map((v) => Array.from({ length: v }, () => Math.fround(rnd() * 8 - 4)));
const TARGETS = ROWS.map((r, i) => (i * 7) % r.length);

const ndjsonPath = writeFixture(
  dir,
  "choices.ndjson",
  ROWS.map((logits, i) => `${JSON.stringify({ logits, target: TARGETS[i], id: `q${i}` })}\n`).join(""),
);
const msgpackPath = writeFixture(
  dir,
  "choices.msgpack",
  msgpackFrames(ROWS.map((r, i) => ({ logits: rawF32([r]), target: TARGETS[i]!, id: `q${i}` }))),
);
/** The same rows padded with −∞ (null) to 5 logits: one vocabulary, the same distributions. */
const paddedPath = writeFixture(
  dir,
  "padded.ndjson",
  ROWS.map(
    (logits, i) =>
      `${JSON.stringify({ logits: [...logits, ...(logits.length < 5 ? [null] : [])], target: TARGETS[i], id: `q${i}` })}\n`,
  ).join(""),
);

const INPUTS = [
  ["NDJSON", ndjsonPath],
  ["msgpack", msgpackPath],
] as const;

type Rec = Record<string, unknown>;

/** Within 1e-6 (relative above 1) of the float64 reference: the kernels' exponentials are float32. */
function expectNear(got: unknown, ref: number): void {
  expect(Math.abs((got as number) - ref)).toBeLessThan(1e-6 * Math.max(1, Math.abs(ref)));
}
const records = (r: { stdout: Buffer }) => lines(r as never).map((l) => JSON.parse(l) as Rec);

/**
 * The padded stream sampled at --seed 7 (the reference of both inputs' "sample --seed" test), run once:
 * its output depends only on its arguments.
 */
let paddedSample: ReturnType<typeof runCli> | undefined;
function runPaddedSample(): ReturnType<typeof runCli> {
  paddedSample ??= runCli(["sample", paddedPath, "--seed", "7", "--logprobs", "2", "--threads", "1"]);
  return paddedSample;
}

/** Runs the command with --threads 1 and 2; both must succeed with the same bytes. Returns the records. */
async function bothThreads(args: string[]): Promise<Rec[]> {
  const [one, two] = await Promise.all([
    runCli([...args, "--threads", "1"]),
    runCli([...args, "--threads", "2"]),
  ]);
  expect(one.stderr).toBe("");
  expect(one.code).toBe(0);
  expect(two.code).toBe(0);
  expect(two.stdout.equals(one.stdout)).toBe(true);
  return records(one);
}

describe.each(INPUTS)("rows of 4 and 5 logits in one %s stream", (_name, path) => {
  it("softmax: each row's probabilities over its own options", async () => {
    const recs = await bothThreads(["softmax", path]);
    expect(recs).toHaveLength(ROWS.length);
    recs.forEach((rec, i) => {
      expect(rec.row).toBe(i);
      expect(rec.id).toBe(`q${i}`);
      const probs = rec.probs as number[];
      const ref = refSoftmax(ROWS[i]!);
      expect(probs).toHaveLength(ROWS[i]!.length);
      probs.forEach((p, j) => {
        expect(Math.abs(p - ref[j]!)).toBeLessThanOrEqual(1e-6 * ref[j]! + 1e-12);
      });
    });
  });

  it("softmax --log --top 3: the three best options of each row", async () => {
    const recs = await bothThreads(["softmax", path, "--log", "--top", "3"]);
    recs.forEach((rec, i) => {
      const ref = refLogSoftmax(ROWS[i]!);
      const best = ref.map((lp, t) => ({ t, lp })).sort((a, b) => b.lp - a.lp || a.t - b.t);
      const top = rec.top as { token: number; logprob: number }[];
      expect(top.map((e) => e.token)).toEqual(best.slice(0, 3).map((e) => e.t));
      top.forEach((e, j) => {
        expectNear(e.logprob, best[j]!.lp);
      });
    });
  });

  it("score: each frame's target against its own row, and the summary over all of them", async () => {
    const recs = await bothThreads(["score", path]);
    expect(recs).toHaveLength(ROWS.length + 1);
    let nll = 0;
    ROWS.forEach((row, i) => {
      const rec = recs[i]!;
      const lp = refLogSoftmax(row)[TARGETS[i]!]!;
      nll -= lp;
      expect(rec).toMatchObject({ row: i, target: TARGETS[i], rank: refRank(row, TARGETS[i]!), id: `q${i}` });
      expectNear(rec.logprob, lp);
    });
    const summary = (recs.at(-1) as { summary: { rows: number; mean_nll: number; perplexity: number } })
      .summary;
    expect(summary.rows).toBe(ROWS.length);
    expectNear(summary.mean_nll, nll / ROWS.length);
    expectNear(summary.perplexity, Math.exp(nll / ROWS.length));
  });

  it("sample --temperature 0: each row's best option", async () => {
    const recs = await bothThreads(["sample", path, "--temperature", "0"]);
    recs.forEach((rec, i) => {
      expect(rec.token).toBe(refArgmax(ROWS[i]!));
    });
  });

  it("sample --seed: the draw of each row's global index, as in the stream padded with −∞ to one length", async () => {
    const ragged = await bothThreads(["sample", path, "--seed", "7", "--logprobs", "2"]);
    const padded = await runPaddedSample();
    expect(padded.code).toBe(0);
    expect(ragged).toEqual(records(padded));
    ragged.forEach((rec, i) => {
      expect(rec.token as number).toBeLessThan(ROWS[i]!.length);
      expectNear(rec.logprob, refLogSoftmax(ROWS[i]!)[rec.token as number]!);
    });
  });
});

describe("rows of different lengths: output formats and options sized for one vocabulary", () => {
  it("--output msgpack writes the same records as NDJSON", async () => {
    const mp = await runCli(["score", ndjsonPath, "-o", "msgpack", "--top", "2", "--threads", "2"]);
    const nd = await runCli(["score", ndjsonPath, "--top", "2", "--threads", "1"]);
    expect(mp.code).toBe(0);
    expect(unpackAll(mp.stdout)).toEqual(records(nd));
  });

  it("--vocab V still fixes one length: a row of another length is bad data naming the row (exit 65)", async () => {
    const r = await runCli(["softmax", ndjsonPath, "--vocab", "4"]);
    expect(r.code).toBe(65);
    expect(r.stderr).toContain("row 1");
    expect(lines(r)).toHaveLength(1);
  });

  it("a --logit-bias token beyond a row's options is bad data naming that row; the rows before are written", async () => {
    // Rows 0 and 1 have 5 options, row 2 has 4: token 4 exists in the first two only.
    const input = '{"logits":[1,2,3,4,5]}\n{"logits":[5,4,3,2,1]}\n{"logits":[1,2,3,4]}\n';
    const r = await runCli(["sample", "--logit-bias", "4:10", "--seed", "1"], { stdin: input });
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/token id 4 is outside the vocabulary \(V = 4\) at row 2/);
    expect(records(r).map((x) => x.token)).toEqual([4, 4]);
  });

  it("a --targets id beyond a row's options is bad data naming that row; the rows before are written", async () => {
    const targets = writeFixture(dir, "targets.txt", "4\n4\n4\n");
    const input = "[1,2,3,4,5]\n[5,4,3,2,1]\n[1,2,3,4]\n";
    const r = await runCli(["score", "--targets", targets], { stdin: input });
    expect(r.code).toBe(65);
    expect(r.stderr).toContain("row 2: target 4 is not a token id in [0, 4)");
    expect(records(r).map((x) => x.row)).toEqual([0, 1]);
  });

  it("raw float32 still needs --vocab (exit 2)", async () => {
    const r = await runCli(["softmax", "--format", "f32"], { stdin: rawF32([[1, 2, 3, 4]]) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--vocab");
  });
});

describe("rows of different lengths on the pool's workers", () => {
  // `pnpm test:full`: past the pool's own inline budget (128 × 128,256 = 16.4 M elements run inline before
  // the workers start; msgpack work is counted as bytes / 4): 10,000 frames of 2,048 and 2,049 float32
  // logits, 82 MB, so the last ~1,800 rows run in the workers. `pnpm test`: 768 frames of 256 and 257,
  // with the budget lowered by --inline-elements to 320 × 256 elements: the pool counts ~262 a frame and
  // runs whole chunks of wire's 64 frames, so the first 4 chunks (256 rows) run inline and the last 512
  // rows — 8 chunks of mixed lengths, more than the pool keeps in flight — in the workers (checked with
  // faults at rows 0, 255, 256 and 767: only the last two fired).
  // Frames are written by hand (map of one bin16) to keep the fixture builder out of the way of 20 M
  // numbers.
  const V = sized(2_048, 256);
  const FRAMES = sized(10_000, 768);
  const INLINE = sized([], ["--inline-elements", String(320 * V)]);
  const big = mulberry32(99);
  const frames: Buffer[] = [];
  const widths: number[] = [];
  for (let r = 0; r < FRAMES; r++) {
    const v = V + (r % 3 === 0 ? 1 : 0);
    widths.push(v);
    const f = new Float32Array(v);
    for (let i = 0; i < v; i++) f[i] = big() * 16 - 8;
    const head = Buffer.from([0x82, 0xa6, ...Buffer.from("logits"), 0xc5, (v * 4) >> 8, (v * 4) & 0xff]);
    const tail = Buffer.from([
      0xa6,
      ...Buffer.from("target"),
      0xcd,
      ((r * 13) % v) >> 8,
      ((r * 13) % v) & 0xff,
    ]);
    frames.push(head, Buffer.from(f.buffer), tail);
  }
  const bigPath = writeFixture(dir, "big.msgpack", Buffer.concat(frames));

  it.each([
    ["sample", ["sample", bigPath, "--seed", "3", "--top-p", "0.9", ...INLINE]],
    ["score --top 2", ["score", bigPath, "--top", "2", ...INLINE]],
    ["softmax --top 1", ["softmax", bigPath, "--top", "1", ...INLINE]],
  ])("%s: byte-identical for --threads 1 and 2, one record per row in order", async (_n, args) => {
    const recs = await bothThreads(args);
    const rows = recs.filter((r) => r.row !== undefined);
    expect(rows).toHaveLength(widths.length);
    rows.forEach((rec, i) => {
      expect(rec.row).toBe(i);
      if (rec.token !== undefined) expect(rec.token as number).toBeLessThan(widths[i]!);
      if (rec.target !== undefined) expect(rec.target).toBe((i * 13) % widths[i]!);
    });
  });
});
