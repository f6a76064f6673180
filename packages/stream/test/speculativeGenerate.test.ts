import type { LogitSource } from "@logitstream/core";
import { firstValueFrom, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { speculativeGenerate } from "../src/speculativeGenerate.js";

/** A 3-token model whose logits depend on the last token and the context length (a Markov-ish toy). */
function model(table: number[][], eosId?: number): LogitSource {
  const s: LogitSource = {
    vocabSize: 3,
    next: (ctx) => Float32Array.from(table[(ctx[ctx.length - 1]! + ctx.length) % table.length]!),
  };
  if (eosId !== undefined) (s as { eosId?: number }).eosId = eosId;
  return s;
}

const softmax = (row: number[], t: number) => {
  const m = Math.max(...row);
  const e = row.map((x) => Math.exp((x - m) / t));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
};

const targetTable = [
  [0, 1, -1],
  [2, 0, 0.5],
  [-1, 0, 1.5],
];
const draftTable = [
  [1, -2, 0],
  [0, 0, 0],
  [3, 0, -1],
];

describe("speculativeGenerate", () => {
  it.each([1, 3])(
    "emits the first two tokens with the target's joint distribution, k = %d (χ², 8 df)",
    async (k) => {
      const target = model(targetTable);
      const draft = model(draftTable);
      const prompt = [1];
      const t = 0.9;
      const counts = new Array(9).fill(0);
      const n = 6000;
      for (let s = 0; s < n; s++) {
        const ev = await firstValueFrom(
          speculativeGenerate(target, draft, prompt, {
            draftTokens: k,
            temperature: t,
            seed: 5,
            stream: s,
            maxTokens: 2,
          }).pipe(toArray()),
        );
        counts[ev[0]!.token * 3 + ev[1]!.token]++;
      }
      // p(a, b) = p_target(a | prompt) · p_target(b | prompt, a)
      const p0 = softmax(targetTable[(1 + 1) % 3]!, t);
      let stat = 0;
      for (let a = 0; a < 3; a++) {
        const p1 = softmax(targetTable[(a + 2) % 3]!, t);
        for (let b = 0; b < 3; b++) {
          const e = n * p0[a]! * p1[b]!;
          stat += (counts[a * 3 + b] - e) ** 2 / e;
        }
      }
      expect(stat).toBeLessThan(26.124); // χ²(8) at p = 0.001
    },
  );

  it("is reproducible and stops at maxTokens and at the target's EOS (not emitted)", async () => {
    const run = (eos?: number) =>
      firstValueFrom(
        speculativeGenerate(model(targetTable, eos), model(draftTable), [0], {
          seed: 1,
          stream: 9,
          maxTokens: 7,
        }).pipe(toArray()),
      );
    const a = await run();
    expect(a.map((e) => e.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect((await run()).map((e) => e.token)).toEqual(a.map((e) => e.token));
    const firstTwo = a.findIndex((e) => e.token === 2);
    const b = await run(2);
    expect(b.length).toBe(firstTwo < 0 ? 7 : firstTwo);
  });

  it("rejects different vocabularies and bad options", () => {
    const four: LogitSource = { vocabSize: 4, next: () => new Float32Array(4) };
    expect(() => speculativeGenerate(model(targetTable), four, [0])).toThrow(/vocabulary/);
    expect(() => speculativeGenerate(model(targetTable), model(draftTable), [0], { draftTokens: 0 })).toThrow(
      /draftTokens/,
    );
  });
});
