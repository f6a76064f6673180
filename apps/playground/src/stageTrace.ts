import {
  type Candidates,
  createSampler,
  keepsEveryCandidate,
  type SamplerParams,
  type SamplerStage,
} from "@logitstream/core";

/** What one stage of the chain left: the token ids still candidates after it (ascending). */
interface StageStep {
  name: string;
  kept: Int32Array;
}

/** The chain run on one row, stage by stage, and the token it chose. */
interface StageTrace {
  steps: StageStep[];
  token: number;
  /** log-softmax of the raw row at the chosen token. */
  logprob: number;
}

/** Options of {@link traceStages}. */
interface TraceOptions {
  /** Tokens before this position, fed to the sampler (penalties look at them). */
  history?: ArrayLike<number>;
  /** RNG stream (request id) and step (token position) of the draw; default 0 and history length. */
  stream?: number;
  step?: number;
}

/**
 * Runs core's sampler chain on one row and records, after every filter stage, which tokens are still
 * candidates — what the playground greys out stage by stage. It uses only the public API: a probe stage
 * (a custom stage that reads the candidates and changes nothing) is inserted after each stage that can
 * remove candidates with these params, so the kept sets are exactly the chain's, and the chosen token is
 * the chain's own draw.
 *
 * @param logits - One row.
 * @param params - Sampler params (validated by core).
 * @param opts - History and RNG position.
 * @returns The steps in chain order (the terminal stage is not a step) and the chosen token.
 * @example
 * ```ts
 * traceStages(new Float32Array([1, 3, 2]), { topK: 2, seed: 1 }).steps.find((s) => s.name === "top_k")!.kept;
 * // Int32Array [1, 2]
 * ```
 */
export function traceStages(
  logits: Float32Array,
  params: SamplerParams,
  opts: TraceOptions = {},
): StageTrace {
  // A probe turns off the chain's fast paths from its place on (it needs the candidates), so none goes
  // after a stage that cannot remove anything with these params: its kept set is the one before it.
  const plain = createSampler(params).stages;
  const steps: StageStep[] = [];
  const probed = new Set<StageStep>();
  for (const stage of plain.slice(0, -1)) {
    const step = { name: stage.name, kept: new Int32Array(0) };
    steps.push(step);
    if (!keepsEveryCandidate(stage)) probed.add(step);
  }
  const seen: SeenSets = { vocab: logits.length, last: undefined };
  const history = Array.from(opts.history ?? []);
  const sampler = createSampler(params, {
    stages: [...probed].map((step) => ({ after: step.name, stage: probe(step, seen) })),
    state: { stream: opts.stream ?? 0, step: opts.step ?? history.length, recent: [] },
  });
  for (const t of history) sampler.accept(t);
  const r = sampler.sample(logits);
  let before = allIds(logits.length);
  for (const step of steps) {
    if (!probed.has(step)) step.kept = before;
    before = step.kept;
  }
  return { steps, token: r.token, logprob: r.logprob };
}

/** What the probes of one trace share: the vocabulary size and the set the previous probe recorded. */
interface SeenSets {
  vocab: number;
  last: Int32Array | undefined;
}

/**
 * A stage that records the ids of the candidates it sees into `step.kept` and changes nothing.
 * Stages only ever remove candidates, so a set of the previous probe's size is the previous set, and a
 * set of V candidates is every id: both are shared instead of copied (at V = 100k a copy per stage per
 * slider move was most of the redraw's garbage).
 */
function probe(step: StageStep, seen: SeenSets): SamplerStage {
  return {
    name: `probe:${step.name}`,
    apply(c: Candidates) {
      if (seen.last !== undefined && seen.last.length === c.size) step.kept = seen.last;
      else if (c.size === seen.vocab) step.kept = allIds(seen.vocab);
      else {
        // An unsorted candidate set is in increasing id order already (core's invariant).
        const ids = c.ids.slice(0, c.size);
        step.kept = c.sorted ? ids.sort() : ids;
      }
      seen.last = step.kept;
    },
    clone() {
      return probe(step, seen);
    },
  };
}

let everyId = new Int32Array(0);
/** 0 … vocab − 1, built once per vocabulary size (read-only for callers). */
function allIds(vocab: number): Int32Array {
  if (everyId.length !== vocab) everyId = Int32Array.from({ length: vocab }, (_, i) => i);
  return everyId;
}
