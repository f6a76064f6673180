import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { ndjsonArrays, ndjsonObjects, npy, safetensors } from "./helpers/fixtures.js";
import { refArgmax, refKl, refSoftmax } from "./helpers/reference.js";
import { mulberry32, randomRows, tempDir, writeFixture } from "./helpers/rows.js";
import { sized } from "./reliability/helpers.js";

interface CompareLine {
  row: number;
  kl: number;
  top1_base: number;
  top1_new: number;
  top1_same: boolean;
  target?: number;
  p_base?: number;
  p_new?: number;
  dp?: number;
}
type Dist = Record<"mean" | "se" | "min" | "median" | "p90" | "p95" | "p99" | "p99_9" | "max", number>;
interface SummaryLine {
  summary: {
    rows: number;
    kl: Dist;
    top1_same: { ratio: number; se: number };
    targets?: {
      scored: number;
      ppl_base: number;
      ppl_new: number;
      ppl_ratio: number;
      dp: Dist & { rms: number };
    };
  };
}

const dir = tempDir();
const f32 = (x: number) => Math.fround(x);
/** A "quantized" copy of each row: the same logits plus small deterministic noise. */
function perturb(rows: number[][], amount: number): number[][] {
  return rows.map((row, r) => row.map((v, i) => f32(v + amount * Math.sin(r * 31 + i * 7))));
}
function percentile(values: number[], q: number): number {
  const s = [...values].sort((x, y) => x - y);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}
function parse(stdout: Buffer): { rows: CompareLine[]; summary: SummaryLine["summary"] } {
  const lines = stdout
    .toString()
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as unknown);
  const last = lines.pop() as SummaryLine;
  return { rows: lines as CompareLine[], summary: last.summary };
}

const V = 50;
const base = randomRows(300, V, 7).map((r) => r.map(f32));
const quant = perturb(base, 0.3);
const targets = base.map((_, i) => (i * 13) % V);
const basePath = writeFixture(dir, "base.npy", npy(base));
const quantPath = writeFixture(dir, "quant.npy", npy(quant));
const targetsPath = writeFixture(dir, "ids.txt", targets.join("\n"));

/**
 * `compare base.npy quant.npy --targets ids.txt`, run once for the three tests that read it (its output
 * depends only on its arguments and files), by whichever needs it first: each can still run alone (`-t`).
 */
let withTargets: ReturnType<typeof runCli> | undefined;
function runWithTargets(): ReturnType<typeof runCli> {
  withTargets ??= runCli(["compare", basePath, quantPath, "--targets", targetsPath]);
  return withTargets;
}

describe("logitstream compare", () => {
  it("gives each row's KL, top-1 tokens and Δp as the float64 definition does", async () => {
    const r = await runWithTargets();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { rows } = parse(r.stdout);
    expect(rows).toHaveLength(base.length);
    rows.forEach((rec, i) => {
      expect(rec.row).toBe(i);
      expect(Math.abs(rec.kl - refKl(base[i]!, quant[i]!))).toBeLessThan(1e-10);
      expect(rec.top1_base).toBe(refArgmax(base[i]!));
      expect(rec.top1_new).toBe(refArgmax(quant[i]!));
      expect(rec.top1_same).toBe(rec.top1_base === rec.top1_new);
      const t = targets[i]!;
      expect(rec.target).toBe(t);
      const pb = refSoftmax(base[i]!)[t]!;
      const pn = refSoftmax(quant[i]!)[t]!;
      expect(Math.abs(rec.p_base! - pb)).toBeLessThan(1e-12);
      expect(Math.abs(rec.p_new! - pn)).toBeLessThan(1e-12);
      expect(Math.abs(rec.dp! - (pn - pb))).toBeLessThan(1e-12);
    });
  });

  it("summarizes like a straightforward computation over all rows", async () => {
    const r = await runWithTargets();
    const { rows, summary } = parse(r.stdout);
    const kls = rows.map((x) => x.kl);
    const dps = rows.map((x) => x.dp!);
    const close = (x: number, y: number) => Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(y));
    expect(summary.rows).toBe(rows.length);
    expect(close(summary.kl.mean, kls.reduce((a, b) => a + b, 0) / kls.length)).toBe(true);
    for (const [k, q] of [
      ["median", 0.5],
      ["p90", 0.9],
      ["p95", 0.95],
      ["p99", 0.99],
      ["p99_9", 0.999],
    ] as const) {
      expect(close(summary.kl[k], percentile(kls, q))).toBe(true);
      expect(close(summary.targets!.dp[k], percentile(dps, q))).toBe(true);
    }
    expect(summary.kl.max).toBe(Math.max(...kls));
    const same = rows.filter((x) => x.top1_same).length / rows.length;
    expect(summary.top1_same.ratio).toBe(same);
    const pplBase = Math.exp(-rows.reduce((a, x) => a + Math.log(x.p_base!), 0) / rows.length);
    const pplNew = Math.exp(-rows.reduce((a, x) => a + Math.log(x.p_new!), 0) / rows.length);
    expect(close(summary.targets!.ppl_base, pplBase)).toBe(true);
    expect(close(summary.targets!.ppl_new, pplNew)).toBe(true);
    expect(close(summary.targets!.ppl_ratio, pplNew / pplBase)).toBe(true);
    expect(close(summary.targets!.dp.rms, Math.sqrt(dps.reduce((a, d) => a + d * d, 0) / dps.length))).toBe(
      true,
    );
  });

  it("writes only the summary with --summary-only, and the same summary", async () => {
    const [full, only] = await Promise.all([
      runWithTargets(),
      runCli(["compare", basePath, quantPath, "--targets", targetsPath, "--summary-only"]),
    ]);
    expect(only.code).toBe(0);
    const fullLines = full.stdout.toString().trim().split("\n");
    expect(only.stdout.toString()).toBe(`${fullLines[fullLines.length - 1]}\n`);
  });

  it("reads any pair of formats, one of them from stdin, with targets from the frames", async () => {
    const frames = ndjsonObjects(quant.slice(0, 40).map((logits, i) => ({ logits, target: targets[i]! })));
    const st = writeFixture(dir, "base.safetensors", safetensors({ logits: base.slice(0, 40) }));
    const fromFile = await runCli(["compare", writeFixture(dir, "q40.ndjson", frames), st]);
    expect(fromFile.code).toBe(0);
    // NEW's frames carry targets but targets come from BASE: here BASE is the NDJSON file.
    const viaStdin = await runCli(["compare", "-", st], { stdin: frames });
    expect(viaStdin.stdout.equals(fromFile.stdout)).toBe(true);
    const { rows } = parse(viaStdin.stdout);
    expect(rows[3]!.target).toBe(targets[3]);
    expect(Math.abs(rows[3]!.kl - refKl(quant[3]!, base[3]!))).toBeLessThan(1e-10);
  });

  it("stops with exit 65 naming the first row without a partner, after writing the rows before it", async () => {
    const short = writeFixture(dir, "short.ndjson", ndjsonArrays(quant.slice(0, 7)));
    const r = await runCli(["compare", basePath, short]);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/row 7: NEW ended after 7 rows but BASE has more/);
    expect(parse(Buffer.from(`${r.stdout.toString()}{"summary":{}}`)).rows).toHaveLength(7);
  });

  it("stops with exit 65 on rows of different lengths, and compares them through --vocab-map", async () => {
    const wide = quant.slice(0, 20).map((row) => [...row, -5, -6]); // two extra (padding) tokens
    const widePath = writeFixture(dir, "wide.ndjson", ndjsonArrays(wide));
    const baseSmall = writeFixture(dir, "b20.ndjson", ndjsonArrays(base.slice(0, 20)));
    const bad = await runCli(["compare", baseSmall, widePath]);
    expect(bad.code).toBe(65);
    expect(bad.stderr).toMatch(/row 0: BASE rows have 50 logits but NEW rows have 52; give --vocab-map/);
    // Map token i ↔ i for the 50 shared tokens: the padding is left out, so the result equals the
    // comparison with the unpadded rows.
    const mapPath = writeFixture(dir, "map.txt", Array.from({ length: V }, (_, i) => `${i} ${i}`).join("\n"));
    const mapped = await runCli(["compare", baseSmall, widePath, "--vocab-map", mapPath]);
    const plain = await runCli([
      "compare",
      baseSmall,
      writeFixture(dir, "q20.ndjson", ndjsonArrays(quant.slice(0, 20))),
    ]);
    expect(mapped.code).toBe(0);
    expect(mapped.stdout.equals(plain.stdout)).toBe(true);
    const badMap = await runCli([
      "compare",
      baseSmall,
      widePath,
      "--vocab-map",
      writeFixture(dir, "bad.txt", "0 1 2\n"),
    ]);
    expect(badMap.code).toBe(2);
    expect(badMap.stderr).toMatch(/line 1: expected two token ids/);
  });

  it("rejects one input only, or stdin twice, as a usage error", async () => {
    const [one, twice] = await Promise.all([runCli(["compare", basePath]), runCli(["compare", "-", "-"])]);
    expect(one.code).toBe(2);
    expect(twice.code).toBe(2);
  });
});

describe("logitstream compare --threads", () => {
  // Past the pool's inline budget, so most pairs run in the workers: in test:full the default budget
  // (16.4 M elements) and 2,200 rows of 4,096; in pnpm test 1,280 rows of 512 past a budget lowered
  // with --inline-elements to a fifth of them.
  const BV = sized(4_096, 512);
  const bigBase = randomRows(sized(2_200, 1_280), BV, 3);
  const INLINE = sized([], ["--inline-elements", String(256 * BV)]);
  const bigBasePath = writeFixture(dir, "bigbase.npy", npy(bigBase));
  const bigQuantPath = writeFixture(dir, "bigquant.npy", npy(perturb(bigBase, 0.2)));
  it("gives byte-identical output for --threads 1 and --threads 2", async () => {
    const [one, two] = await Promise.all([
      runCli(["compare", bigBasePath, bigQuantPath, ...INLINE, "--threads", "1"]),
      runCli(["compare", bigBasePath, bigQuantPath, ...INLINE, "--threads", "2"]),
    ]);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(one.stdout.length).toBeGreaterThan(0);
    expect(two.stdout.equals(one.stdout)).toBe(true);
  });
});

describe("logitstream compare --threads 2 over many batches", () => {
  // ~60 batches of 64 row pairs in the workers, up to 4 in flight while the main thread writes the next
  // pairs into recycled slabs and reads the next chunks into reused buffers. Every row is checked against
  // the float64 definition computed here: memory reused before a worker (or the pairing) was done with it
  // would give some row another row's figures. Fast loop: 4,000 pairs of V = 256 with every row in the
  // workers (--inline-elements 0); test:full: 12,000 pairs of V = 1,024 with the default budget (16.4 M
  // of their 24.6 M pair elements inline, the rest in the workers).
  const MV = sized(1_024, 256);
  const MR = sized(12_000, 4_000);
  const INLINE = sized([], ["--inline-elements", "0"]);
  const rnd = mulberry32(21);
  const a = new Float32Array(MR * MV).map(() => rnd() * 16 - 8);
  const b = a.map((x) => x + 0.5 * (rnd() - 0.5));
  const aPath = writeFixture(dir, "many-base.npy", npyOf(a, MR, MV));
  const bPath = writeFixture(dir, "many-new.npy", npyOf(b, MR, MV));

  it("gives every row the definition's KL and top-1 tokens, in row order", async () => {
    const r = await runCli(["compare", aPath, bPath, "--threads", "2", ...INLINE]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { rows, summary } = parse(r.stdout);
    expect(rows).toHaveLength(MR);
    expect(summary.rows).toBe(MR);
    // Collected, then asserted once: 12,000 rows × 4 expectations would cost more than the run.
    const wrong: string[] = [];
    rows.forEach((rec, i) => {
      const ra = a.subarray(i * MV, (i + 1) * MV);
      const rb = b.subarray(i * MV, (i + 1) * MV);
      const kl = klOf(ra, rb);
      if (rec.row !== i || !(Math.abs(rec.kl - kl) < 1e-10))
        wrong.push(`row ${i}: got row ${rec.row} kl ${rec.kl}, expected ${kl}`);
      if (rec.top1_base !== argmaxOf(ra) || rec.top1_new !== argmaxOf(rb))
        wrong.push(
          `row ${i}: top-1 ${rec.top1_base}/${rec.top1_new}, expected ${argmaxOf(ra)}/${argmaxOf(rb)}`,
        );
    });
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});

/** KL(softmax(a) ‖ softmax(b)) = Σ p (log p − log q) from the definition, float64, in index order. */
function klOf(a: Float32Array, b: Float32Array): number {
  const lse = (x: Float32Array) => {
    let m = Number.NEGATIVE_INFINITY;
    for (const v of x) if (v > m) m = v;
    let s = 0;
    for (const v of x) s += Math.exp(v - m);
    return m + Math.log(s);
  };
  const la = lse(a);
  const lb = lse(b);
  let kl = 0;
  for (let i = 0; i < a.length; i++) kl += Math.exp(a[i]! - la) * (a[i]! - la - (b[i]! - lb));
  return kl;
}

/** The highest logit's token, ties to the lower id. */
function argmaxOf(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

/** A .npy file (version 1.0, `<f4`, shape (rows, v)) of float32 rows. */
function npyOf(data: Float32Array, rows: number, v: number): Uint8Array {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${v}), }`;
  const header = `${dict}${" ".repeat((64 - ((10 + dict.length + 1) % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
