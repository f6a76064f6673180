import type { Candidates } from "../candidates.js";
import { portableLog } from "../portableLog.js";
import { uniform } from "../rng.js";
import type { SamplingContext } from "../samplerStage.js";
import { OTHER, withFastPath } from "../stageFastPath.js";
import { drawCandidate } from "./drawCandidate.js";
import type { MirostatOptions, MirostatStage } from "./mirostat.js";

/**
 * What both mirostat versions share around their own truncation: μ (starts at 2τ), the draw by `dist`'s
 * rule with u = `uniform(seed, stream, step)`, the update μ ← μ − η · (−log₂ p_sel − τ) with p_sel
 * normalized over the kept tokens, and μ as the stage's state (reset, clone, save, load).
 *
 * @param name - Stage name.
 * @param opts - τ and η (and whatever `truncate` reads).
 * @param truncate - Keeps the candidates the version draws from, given the current μ.
 * @param rebuild - Makes a fresh stage of the same version (for `clone`).
 * @returns The terminal stage.
 */
export function mirostatStage(
  name: string,
  opts: MirostatOptions,
  truncate: (c: Candidates, mu: number, ctx: SamplingContext) => void,
  rebuild: (opts: MirostatOptions) => MirostatStage,
): MirostatStage {
  const { tau, eta } = opts;
  let mu = 2 * tau;
  const stage: MirostatStage = {
    name,
    get mu() {
      return mu;
    },
    apply(c: Candidates, ctx: SamplingContext): void {
      truncate(c, mu, ctx);
      const sel = drawCandidate(c, uniform(ctx.seed, ctx.stream, ctx.step), ctx.row, name);
      c.selected = sel;
      const surprise = -(portableLog(c.probs[sel]! / c.probsSum) / Math.LN2);
      mu = mu - eta * (surprise - tau);
    },
    reset() {
      mu = 2 * tau;
    },
    clone() {
      const copy = rebuild(opts);
      copy.loadState([mu]);
      return copy;
    },
    saveState() {
      return [mu];
    },
    loadState(state: readonly number[]) {
      mu = state[0] ?? 2 * tau;
    },
  };
  return withFastPath(stage, { effect: OTHER });
}
