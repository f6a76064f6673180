import { InvalidParamsError, type SamplerParams } from "@logitstream/core";
import type { LogitFrame } from "../types.js";

/** Any frame seen as a batch: a bare row or a row frame is a batch of one. @internal */
export interface NormalBatch {
  data: Float32Array;
  rows: number;
  vocab: number;
  /** Global index of row 0. */
  firstRow: number;
  ids: readonly unknown[] | undefined;
  targets: Int32Array | readonly number[] | undefined;
  params: readonly (SamplerParams | undefined)[] | undefined;
}

/**
 * Normalizes a frame to a batch view (no copy). `nextRow` is the global index the frame gets when it
 * does not carry one (`row` / `firstRow`): the index after the previous frame's last row.
 * @internal
 */
export function toBatch(frame: LogitFrame, nextRow: number): NormalBatch {
  if (frame instanceof Float32Array) {
    return {
      data: frame,
      rows: 1,
      vocab: frame.length,
      firstRow: nextRow,
      ids: undefined,
      targets: undefined,
      params: undefined,
    };
  }
  if ("logits" in frame) {
    const f = frame as {
      logits: Float32Array;
      row?: number;
      id?: unknown;
      target?: number;
      params?: SamplerParams;
    };
    return {
      data: f.logits,
      rows: 1,
      vocab: f.logits.length,
      firstRow: f.row ?? nextRow,
      ids: "id" in f ? [f.id] : undefined,
      targets: f.target === undefined ? undefined : [f.target],
      params: f.params === undefined ? undefined : [f.params],
    };
  }
  if (frame !== null && typeof frame === "object" && frame.data instanceof Float32Array) {
    const b = frame as typeof frame & { params?: readonly (SamplerParams | undefined)[] };
    if (
      !Number.isInteger(b.rows) ||
      !Number.isInteger(b.vocab) ||
      b.rows < 0 ||
      b.vocab < 1 ||
      b.data.length < b.rows * b.vocab
    ) {
      throw new InvalidParamsError(
        "frame",
        `a batch of ${b.rows} × ${b.vocab} needs that many values, got ${b.data.length}`,
      );
    }
    return {
      data: b.data,
      rows: b.rows,
      vocab: b.vocab,
      firstRow: b.firstRow ?? nextRow,
      ids: b.ids,
      targets: b.targets,
      params: b.params,
    };
  }
  throw new InvalidParamsError("frame", "expected a Float32Array, { logits } or { data, rows, vocab }");
}

/**
 * Top-N entries of row `r` as `{ token, logprob }` objects, from `rows × n` arrays where `n` is the
 * stride core returns, `min(N, vocab)`; a skipped row (id -1) gives an empty list. @internal
 */
export function topEntries(
  ids: Int32Array,
  logprobs: Float64Array,
  r: number,
  n: number,
): { token: number; logprob: number }[] {
  const out: { token: number; logprob: number }[] = [];
  for (let k = r * n, end = r * n + n; k < end; k++) {
    if (ids[k]! < 0) break;
    out.push({ token: ids[k]!, logprob: logprobs[k]! });
  }
  return out;
}
