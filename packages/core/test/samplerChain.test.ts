import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createSampler,
  InvalidParamsError,
  type SamplerParams,
  type SamplerStage,
  type SamplingContext,
} from "../src/index.js";

const NEG = Number.NEGATIVE_INFINITY;

/** A custom stage that does nothing: it has no fast path, so placed first it turns them all off. */
const noop: SamplerStage = { name: "noop", apply() {}, clone: () => noop };

/** The same params with a custom no-op stage first: the chain then runs every stage on V candidates. */
function fullChain(params: SamplerParams, stream: number) {
  const first = createSampler(params).stages[0]!.name;
  return createSampler(params, { stream, stages: [{ before: first, stage: noop }] });
}

describe("sampler chain: immutable, planned once", () => {
  it("exposes a frozen stage list", () => {
    const s = createSampler({ topK: 5 });
    expect(Object.isFrozen(s.stages)).toBe(true);
    expect(() => (s.stages as SamplerStage[]).push(noop)).toThrow(TypeError);
    expect(s.clone().stages.map((x) => x.name)).toEqual(s.stages.map((x) => x.name));
  });

  it("a top_p-first chain with no temperature stage ignores params.temperature (fast path included)", () => {
    // samplers ["top_p", "dist"] has no temperature stage, so temperature 0.7 must not change a draw:
    // the draws equal those at temperature 1 (the nucleus fast path once applied T here).
    const row = Float32Array.from([3, 2.5, 1, 0, -1]);
    const a = createSampler({ temperature: 0.7, topP: 0.9, samplers: ["top_p", "dist"], seed: 7 });
    const b = createSampler({ temperature: 1, topP: 0.9, samplers: ["top_p", "dist"], seed: 7 });
    for (let i = 0; i < 200; i++) expect(a.sample(row).token).toBe(b.sample(row).token);
  });

  it("fast paths give bit-identical results to the full chain (property, fixed seed)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: -32, max: 32 }).map((v) => v / 8),
            fc.constant(NEG),
          ),
          {
            minLength: 1,
            maxLength: 300,
          },
        ),
        fc.record({
          temperature: fc.constantFrom(0, 0.7, 1, 1.5),
          topK: fc.constantFrom(0, 1, 3, 40),
          topP: fc.constantFrom(1, 0.9, 0.3),
          minP: fc.constantFrom(0, 0.05),
          samplers: fc.constantFrom(
            undefined,
            ["top_p", "dist"],
            ["top_k", "temperature", "greedy"],
            ["temperature", "top_p", "min_p", "dist"],
          ),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        fc.constantFrom({}, { logprobs: 3 }, { processed: true }),
        (vals, raw, opts) => {
          const row = Float32Array.from(vals);
          if (!row.some((v) => v !== NEG)) row[0] = 0;
          const { samplers, ...rest } = raw;
          const params: SamplerParams = samplers === undefined ? rest : { ...rest, samplers: [...samplers] };
          const fast = createSampler(params, { stream: 5 });
          const full = fullChain(params, 5);
          for (let i = 0; i < 3; i++) expect(fast.sample(row, opts)).toEqual(full.sample(row, opts));
        },
      ),
      { seed: 20261204, numRuns: 300 },
    );
  });
});

describe("sampler chain: custom stages", () => {
  it("inserts stages before / after a named stage, and before the terminal by default", () => {
    const a: SamplerStage = { name: "a", apply() {}, clone: () => a };
    const b: SamplerStage = { name: "b", apply() {}, clone: () => b };
    const c: SamplerStage = { name: "c", apply() {}, clone: () => c };
    const d: SamplerStage = { name: "d", apply() {}, clone: () => d };
    const s = createSampler(
      { samplers: ["top_k", "temperature"] },
      {
        stages: [
          { before: "top_k", stage: a },
          { after: "top_k", stage: b },
          { stage: c },
          { before: "temperature", stage: d },
        ],
      },
    );
    expect(s.stages.map((x) => x.name)).toEqual(["a", "top_k", "b", "d", "temperature", "c", "dist"]);
  });

  it("rejects unknown anchors, both anchors, a place after the terminal and non-stages", () => {
    const bad: [unknown, string][] = [
      [[{ before: "top_p", stage: noop }], 'no stage "top_p"'],
      [[{ before: "top_k", after: "top_k", stage: noop }], "not both"],
      [[{ after: "dist", stage: noop }], "after the terminal"],
      [[{ stage: { name: "x" } }], "SamplerStage"],
      [[null], "must be an object"],
      ["top_k", "must be an array"],
    ];
    for (const [stages, msg] of bad) {
      let err: unknown;
      try {
        createSampler({ samplers: ["top_k"] }, { stages: stages as never });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidParamsError);
      expect((err as Error).message).toContain(msg);
    }
  });

  it("gives a custom stage the accepted tokens and the step in its context", () => {
    const seen: { history: number[]; step: number; stream: number }[] = [];
    const spy: SamplerStage = {
      name: "spy",
      apply(_c, ctx: SamplingContext) {
        seen.push({ history: Array.from(ctx.history), step: ctx.step, stream: ctx.stream });
      },
      clone: () => spy,
    };
    const s = createSampler({ temperature: 0 }, { stream: 4, stages: [{ stage: spy }] });
    s.accept(7); // a prompt token
    s.accept(8);
    const row = Float32Array.from([0, 5, 1]);
    expect(s.sample(row).token).toBe(1);
    expect(s.sample(row).token).toBe(1);
    expect(seen).toEqual([
      { history: [7, 8], step: 0, stream: 4 },
      { history: [7, 8, 1], step: 1, stream: 4 },
    ]);
    s.reset();
    s.sample(row);
    expect(seen[2]).toEqual({ history: [], step: 0, stream: 4 });
  });

  it("a custom stage changes the draw (a ban list) and survives clone", () => {
    // Bans token 1 by masking its logit; candidates arrive unsorted in id order with V = 3.
    const ban: SamplerStage = {
      name: "ban",
      apply(c) {
        for (let i = 0; i < c.size; i++) if (c.ids[i] === 1) c.logits[i] = NEG;
        c.max = Number.NaN;
        c.probsValid = false;
      },
      clone: () => ban,
    };
    const s = createSampler({ temperature: 0 }, { stages: [{ before: "temperature", stage: ban }] });
    const row = Float32Array.from([0, 5, 1]);
    expect(s.sample(row).token).toBe(2);
    expect(s.clone().sample(row).token).toBe(2);
  });

  it("saves and restores a stage's own state next to the token window", () => {
    // A stage that counts its calls: state beyond tokens, saved per stage.
    function counter(start: number): SamplerStage {
      let calls = start;
      const st: SamplerStage = {
        name: "counter",
        apply() {
          calls++;
        },
        clone: () => counter(calls),
        saveState: () => ({ calls }),
        loadState(state) {
          calls = (state as { calls: number }).calls;
        },
      };
      return st;
    }
    const s = createSampler({ seed: 2 }, { stages: [{ stage: counter(0) }] });
    const row = Float32Array.from([1, 2, 3, 4]);
    s.accept(9);
    s.sample(row);
    s.sample(row);
    const state = JSON.parse(JSON.stringify(s.state()));
    const names = s.stages.map((x) => x.name);
    expect(state.stages).toEqual(names.map((n: string) => (n === "counter" ? { calls: 2 } : null)));
    expect(state.recent.length).toBe(3); // the penalty window: 9 and the two sampled tokens
    const r = createSampler({ seed: 2 }, { state, stages: [{ stage: counter(0) }] });
    expect(r.state()).toEqual(state);
    expect(r.sample(row)).toEqual(s.sample(row));
    expect(() =>
      createSampler({ seed: 2 }, { state: { ...state, stages: [null] }, stages: [{ stage: counter(0) }] }),
    ).toThrow(InvalidParamsError);
  });
});
