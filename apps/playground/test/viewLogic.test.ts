import { createSampler } from "@logitstream/core";
import { encodeNpy } from "@logitstream/wire";
import { describe, expect, it } from "vitest";
import { fileReader, scanLogitsFile } from "../src/scanLogitsFile.js";
import { traceStages } from "../src/stageTrace.js";
import { tokenLabel } from "../src/tokenLabel.js";
import { rowView } from "../src/topTokens.js";

/** Float64 softmax from the definition (independent of core's kernels). */
function refProbs(row: ArrayLike<number>): number[] {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < row.length; i++) m = Math.max(m, row[i]!);
  const e = Array.from(row, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
/** Ids by probability, most likely first, ties → lower id. */
function order(row: ArrayLike<number>): number[] {
  return Array.from(row, (_, i) => i).sort((a, b) => row[b]! - row[a]! || a - b);
}
function rows(seed: number, n: number, v: number): Float32Array[] {
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return Array.from({ length: n }, () =>
    Float32Array.from({ length: v }, () => Math.fround((next() - 0.5) * 8)),
  );
}

describe("traceStages", () => {
  const row = Float32Array.from([1, 4, 2, 4, 0.5, -1, 3, 2.5]); // order: 1, 3, 6, 7, 2, 0, 4, 5

  it("records top-k's kept set: exactly the k highest logits, ties to the lower id", () => {
    const t = traceStages(row, { topK: 3, seed: 1 });
    expect(Array.from(t.steps.find((s) => s.name === "top_k")!.kept)).toEqual([1, 3, 6]);
  });

  it("records top-p's kept set: the smallest most likely set with mass ≥ p (float64 definition)", () => {
    const p = refProbs(row);
    const ids = order(row);
    for (const topP of [0.3, 0.6, 0.9, 0.99]) {
      let mass = 0;
      const want: number[] = [];
      for (const id of ids) {
        want.push(id);
        mass += p[id]!;
        if (mass >= topP) break;
      }
      const t = traceStages(row, { topP, seed: 3 });
      expect(Array.from(t.steps.find((s) => s.name === "top_p")!.kept)).toEqual(want.sort((a, b) => a - b));
    }
  });

  it("records min-p's kept set: p ≥ m · p_max", () => {
    const p = refProbs(row);
    const pmax = Math.max(...p);
    const want = p
      .map((x, i) => [x, i] as const)
      .filter(([x]) => x >= 0.3 * pmax)
      .map(([, i]) => i);
    const t = traceStages(row, { minP: 0.3, seed: 3 });
    expect(Array.from(t.steps.find((s) => s.name === "min_p")!.kept)).toEqual(want);
  });

  it("chooses the token the sampler chooses for the same params, stream and step", () => {
    for (const [i, r] of rows(9, 20, 64).entries()) {
      const params = { temperature: 0.8, topK: 20, topP: 0.9, seed: 42 };
      const t = traceStages(r, params, { stream: 0, step: i });
      const s = createSampler(params, { state: { stream: 0, step: i, recent: [] } });
      expect(t.token).toBe(s.sample(r).token);
      // Later stages only shrink the set, and the chosen token survives all of them.
      for (let k = 1; k < t.steps.length; k++) {
        expect(t.steps[k]!.kept.every((id) => t.steps[k - 1]!.kept.includes(id))).toBe(true);
      }
      expect(t.steps.at(-1)!.kept.includes(t.token)).toBe(true);
    }
  });
});

describe("rowView", () => {
  it("lists the n most likely tokens with float64-exact probabilities and the row's entropy", () => {
    for (const r of rows(5, 10, 300)) {
      const v = rowView(r, 30);
      const p = refProbs(r);
      expect(v.top.map((b) => b.token)).toEqual(order(r).slice(0, 30));
      for (const b of v.top) expect(Math.abs(b.prob - p[b.token]!)).toBeLessThan(1e-6);
      const h = -p.reduce((a, x) => a + (x > 0 ? x * Math.log(x) : 0), 0);
      expect(Math.abs(v.entropy - h)).toBeLessThan(1e-5);
    }
  });

  it("returns every token when n exceeds the row", () => {
    expect(rowView(Float32Array.from([0, 1]), 30).top.map((b) => b.token)).toEqual([1, 0]);
  });
});

describe("tokenLabel", () => {
  it.each([
    [" the", "·the"],
    ["\n\n", "⏎⏎"],
    ["a\tb", "a⇥b"],
    ["é", "é"],
  ])("shows %j as %j", (text, want) => {
    expect(tokenLabel(new TextEncoder().encode(text))).toBe(want);
  });

  it("shows a partial UTF-8 character as its bytes", () => {
    expect(tokenLabel(Uint8Array.from([0xe2, 0x80]))).toBe("⟨E2 80⟩");
  });
});

describe("scanLogitsFile", () => {
  const data = rows(11, 50, 40);
  const flat = new Float32Array(50 * 40);
  for (const [i, r] of data.entries()) flat.set(r, i * 40);
  const npy = encodeNpy({ rows: 50, vocab: 40, data: flat });
  const targets = Int32Array.from({ length: 50 }, (_, i) => (i * 7) % 40);

  it("scores every row of a .npy read in small slices: entropy, target logprob and rank, perplexity", async () => {
    const blob = new Blob([npy as Uint8Array<ArrayBuffer>]);
    const scan = await scanLogitsFile(fileReader(blob), { format: "npy", targets, top: 5 });
    expect(scan.rows).toBe(50);
    expect(scan.vocab).toBe(40);
    let nll = 0;
    data.forEach((r, i) => {
      const p = refProbs(r);
      const t = targets[i]!;
      expect(Math.abs(scan.logprobs[i]! - Math.log(p[t]!))).toBeLessThan(1e-6);
      expect(scan.ranks[i]).toBe(1 + p.filter((x) => x > p[t]!).length);
      expect(Array.from(scan.topTokens.subarray(i * 5, i * 5 + 5))).toEqual(order(r).slice(0, 5));
      nll -= Math.log(p[t]!);
    });
    expect(Math.abs(scan.perplexity - Math.exp(nll / 50))).toBeLessThan(1e-6 * scan.perplexity);
  });

  it("rejects a targets file with the wrong count, and a truncated file with the readers' error", async () => {
    await expect(
      scanLogitsFile(fileReader(new Blob([npy as Uint8Array<ArrayBuffer>])), {
        format: "npy",
        targets: targets.subarray(0, 3),
      }),
    ).rejects.toThrow(/3 targets but the logits file has 50 rows/);
    await expect(
      scanLogitsFile(fileReader(new Blob([npy.subarray(0, npy.length - 10) as Uint8Array<ArrayBuffer>])), {
        format: "npy",
      }),
    ).rejects.toThrow(/byte/);
  });
});
