import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeNpy, encodeSafetensors } from "@logitstream/wire";
import { afterAll, describe, expect, it } from "vitest";
import { lines, runCli } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "lens-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** A deterministic generator (LCG). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function matrix(rows: number, cols: number, seed: number, scale: number): Float32Array {
  const r = rng(seed);
  const m = new Float32Array(rows * cols);
  for (let i = 0; i < m.length; i++) m[i] = (r() - 0.5) * scale;
  return m;
}

/** Softmax of the float64 reference matmul h · Wᵀ: [prob, id] sorted most likely first. */
function reference(h: Float32Array, ho: number, w: Float32Array, v: number, d: number): [number, number][] {
  const logits: number[] = [];
  for (let r = 0; r < v; r++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += h[ho + i]! * w[r * d + i]!;
    logits.push(s);
  }
  const m = Math.max(...logits);
  const z = logits.reduce((a, x) => a + Math.exp(x - m), 0);
  return logits.map((x, id) => [Math.exp(x - m) / z, id] as [number, number]).sort((a, b) => b[0] - a[0]);
}

interface Rec {
  layer: number;
  position: number;
  top: { token: number; prob: number; text?: string }[];
}

describe("logitstream lens", () => {
  it("[layers, positions, d] hidden (.npy) × W from a safetensors file with two tensors: top tokens match a float64 reference", async () => {
    const layers = 2;
    const positions = 3;
    const d = 21; // not a multiple of the SIMD width
    const v = 40;
    const h = matrix(layers * positions, d, 1, 4);
    const w = matrix(v, d, 2, 2);
    const hidden = write(
      "h.npy",
      encodeNpy({ rows: layers * positions, vocab: d, data: h }, "f32", [layers, positions, d]),
    );
    const unembed = write(
      "model.safetensors",
      encodeSafetensors({
        "model.embed_tokens.weight": { batch: { rows: 2, vocab: 3, data: new Float32Array(6) } },
        "lm_head.weight": { batch: { rows: v, vocab: d, data: w } },
      }),
    );
    const r = await runCli([
      "lens",
      "--hidden",
      hidden,
      "--unembed",
      unembed,
      "--tensor",
      "lm_head.weight",
      "--top",
      "4",
      "--block",
      "4",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const recs = lines(r).map((l) => JSON.parse(l) as Rec);
    expect(recs.map((x) => [x.layer, x.position])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    for (const [g, rec] of recs.entries()) {
      const ref = reference(h, g * d, w, v, d).slice(0, 4);
      expect(rec.top.map((t) => t.token)).toEqual(ref.map((x) => x[1]));
      for (const [j, t] of rec.top.entries()) expect(Math.abs(t.prob - ref[j]![0])).toBeLessThan(1e-5);
    }
  });

  it("--threads 3 splits W's vocabulary over worker threads with the same output, byte for byte", async () => {
    const d = 11;
    const v = 50;
    const h = matrix(7, d, 5, 4);
    const hidden = write("hs.npy", encodeNpy({ rows: 7, vocab: d, data: h }));
    const unembed = write(
      "ws.safetensors",
      encodeSafetensors({ w: { batch: { rows: v, vocab: d, data: matrix(v, d, 6, 2) }, dtype: "bf16" } }),
    );
    const one = await runCli([
      "lens",
      "--hidden",
      hidden,
      "--unembed",
      unembed,
      "--top",
      "50",
      "--block",
      "3",
    ]);
    const three = await runCli([
      "lens",
      "--hidden",
      hidden,
      "--unembed",
      unembed,
      "--top",
      "50",
      "--block",
      "3",
      "--threads",
      "3",
    ]);
    expect(three.stderr).toBe("");
    expect(three.code).toBe(0);
    expect(lines(three)).toHaveLength(7);
    expect(three.stdout.toString()).toBe(one.stdout.toString());
  });

  it("bf16 and f16 weights: the probabilities of the decoded weights' float64 reference", async () => {
    const d = 9;
    const v = 12;
    const h = matrix(2, d, 3, 2);
    const w = matrix(v, d, 4, 2);
    const hidden = write(
      "h2.safetensors",
      encodeSafetensors({ h: { batch: { rows: 2, vocab: d, data: h } } }),
    );
    for (const dtype of ["bf16", "f16"] as const) {
      const bytes = encodeSafetensors({ w: { batch: { rows: v, vocab: d, data: w }, dtype } });
      const unembed = write(`w-${dtype}.safetensors`, bytes);
      // The exact weights the file holds: round-trip through the same element type via a one-row decode.
      const { decodeElements } = await import("@logitstream/wire");
      const exact = new Float32Array(v * d);
      decodeElements(bytes, bytes.length - v * d * 2, v * d, dtype, exact, 0);
      const r = await runCli(["lens", "--hidden", hidden, "--unembed", unembed, "--top", "3"]);
      expect(r.code).toBe(0);
      const recs = lines(r).map((l) => JSON.parse(l) as Rec);
      expect(recs).toHaveLength(2);
      for (const [g, rec] of recs.entries()) {
        expect(rec.layer).toBe(0);
        const ref = reference(h, g * d, exact, v, d).slice(0, 3);
        expect(rec.top.map((t) => t.token)).toEqual(ref.map((x) => x[1]));
        for (const [j, t] of rec.top.entries()) expect(Math.abs(t.prob - ref[j]![0])).toBeLessThan(1e-5);
      }
    }
  });

  it("applies the final RMSNorm with its weight first (hand-worked)", async () => {
    // x = [3, 4]: mean(x²) = 12.5, x / sqrt(12.5) = [0.6√2, 0.8√2]; · w = [1, 0.5] → [0.6√2, 0.4√2].
    // W = I: logits [0.6√2, 0.4√2]; p0 = 1 / (1 + e^(−0.2√2)) = 0.570243...
    const hidden = write("hn.npy", encodeNpy({ rows: 1, vocab: 2, data: new Float32Array([3, 4]) }));
    const unembed = write(
      "eye.safetensors",
      encodeSafetensors({ w: { batch: { rows: 2, vocab: 2, data: new Float32Array([1, 0, 0, 1]) } } }),
    );
    const norm = write(
      "norm.safetensors",
      encodeSafetensors({
        "model.norm.weight": { batch: { rows: 1, vocab: 2, data: new Float32Array([1, 0.5]) }, shape: [2] },
      }),
    );
    const r = await runCli([
      "lens",
      "--hidden",
      hidden,
      "--unembed",
      unembed,
      "--norm",
      norm,
      "--norm-eps",
      "0",
      "--top",
      "2",
    ]);
    expect(r.stderr).toBe("");
    const [rec] = lines(r).map((l) => JSON.parse(l) as Rec);
    expect(rec!.top.map((t) => t.token)).toEqual([0, 1]);
    expect(rec!.top[0]!.prob).toBeCloseTo(1 / (1 + Math.exp(-0.2 * Math.SQRT2)), 6);
    // Without the norm: logits [3, 4], p1 = 1 / (1 + e^-1) = 0.731058...
    const raw = await runCli(["lens", "--hidden", hidden, "--unembed", unembed, "--top", "1"]);
    const [rr] = lines(raw).map((l) => JSON.parse(l) as Rec);
    expect(rr!.top[0]!.token).toBe(1);
    expect(rr!.top[0]!.prob).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
  });

  it("LayerNorm with weight and bias (hand-worked)", async () => {
    // x = [3, 4]: mean 3.5, var 0.25 → [−1, 1]; · w [1, 0.5] + b [0, 1] → [−1, 1.5]; p1 = 1 / (1 + e^−2.5).
    const hidden = write("hl.npy", encodeNpy({ rows: 1, vocab: 2, data: new Float32Array([3, 4]) }));
    const unembed = write(
      "eye2.safetensors",
      encodeSafetensors({ w: { batch: { rows: 2, vocab: 2, data: new Float32Array([1, 0, 0, 1]) } } }),
    );
    const norm = write(
      "ln.safetensors",
      encodeSafetensors({
        "ln_f.weight": { batch: { rows: 1, vocab: 2, data: new Float32Array([1, 0.5]) }, shape: [2] },
        "ln_f.bias": { batch: { rows: 1, vocab: 2, data: new Float32Array([0, 1]) }, shape: [2] },
      }),
    );
    const r = await runCli([
      "lens",
      "--hidden",
      hidden,
      "--unembed",
      unembed,
      "--norm",
      norm,
      "--norm-tensor",
      "ln_f.weight",
      "--norm-type",
      "layer",
      "--norm-eps",
      "0",
      "--top",
      "2",
    ]);
    expect(r.stderr).toBe("");
    const [rec] = lines(r).map((l) => JSON.parse(l) as Rec);
    expect(rec!.top.map((t) => t.token)).toEqual([1, 0]);
    expect(rec!.top[0]!.prob).toBeCloseTo(1 / (1 + Math.exp(-2.5)), 6);
  });

  it("gives token text with --model ngram", async () => {
    const hidden = write("ht.npy", encodeNpy({ rows: 1, vocab: 2, data: new Float32Array([3, 4]) }));
    const unembed = write(
      "eye3.safetensors",
      encodeSafetensors({ w: { batch: { rows: 2, vocab: 2, data: new Float32Array([1, 0, 0, 1]) } } }),
    );
    const r = await runCli([
      "lens",
      "--hidden",
      hidden,
      "--unembed",
      unembed,
      "--top",
      "2",
      "--model",
      "ngram",
    ]);
    expect(r.stderr).toBe("");
    const [rec] = lines(r).map((l) => JSON.parse(l) as Rec);
    for (const t of rec!.top) expect(typeof t.text).toBe("string");
  });

  it("bad inputs: d mismatch and a missing tensor are bad data (65) naming what is wrong; missing flags exit 2", async () => {
    const hidden = write("hb.npy", encodeNpy({ rows: 2, vocab: 3, data: new Float32Array(6) }));
    const unembed = write(
      "wb.safetensors",
      encodeSafetensors({ "lm_head.weight": { batch: { rows: 5, vocab: 4, data: new Float32Array(20) } } }),
    );
    const mismatch = await runCli(["lens", "--hidden", hidden, "--unembed", unembed]);
    expect(mismatch.code).toBe(65);
    expect(mismatch.stderr).toMatch(/d = 4 \(shape \[5, 4\]\) but the hidden states have d = 3/);
    const missing = await runCli([
      "lens",
      "--hidden",
      hidden,
      "--unembed",
      unembed,
      "--tensor",
      "output.weight",
    ]);
    expect(missing.code).toBe(2); // a --tensor that names no tensor of the file is a bad flag
    expect(missing.stderr).toMatch(/no tensor "output.weight"; it has "lm_head.weight"/);
    const noFlag = await runCli(["lens", "--hidden", hidden]);
    expect(noFlag.code).toBe(2);
    expect(noFlag.stderr).toMatch(/--unembed/);
    const noFile = await runCli(["lens", "--hidden", join(dir, "nope.npy"), "--unembed", unembed]);
    expect(noFile.code).toBe(66);
    expect(noFile.stderr).toMatch(/nope\.npy/);
    const norm = write(
      "nb.safetensors",
      encodeSafetensors({ n: { batch: { rows: 1, vocab: 2, data: new Float32Array(2) }, shape: [2] } }),
    );
    const badNorm = await runCli(["lens", "--hidden", hidden, "--unembed", unembed, "--norm", norm]);
    expect(badNorm.code).toBe(65);
    expect(badNorm.stderr).toMatch(/norm weight must have shape \[3\]/);
  });
});
