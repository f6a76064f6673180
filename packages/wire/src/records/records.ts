import type { TopLogprob } from "@logitstream/core";
import { WireError } from "../errors.js";
import { MAX_ID_DEPTH, valueDepth } from "../valueDepth.js";

/** `sample`: `{"row", "token", "logprob", "id"?, "top_logprobs"?}`. */
export interface SampleRecord {
  row: number;
  token: number;
  logprob: number;
  id?: unknown;
  top_logprobs?: TopLogprob[];
}

/** One entry of `softmax --top N`: `prob` (or `logprob` with `--log`). */
export interface TopProb {
  token: number;
  prob?: number;
  logprob?: number;
}

/** `softmax`: `{"row", "probs"}`, `{"row", "logprobs"}` with `--log`, or `{"row", "top"}` with `--top N`. */
export interface SoftmaxRecord {
  row: number;
  probs?: ArrayLike<number>;
  logprobs?: ArrayLike<number>;
  top?: TopProb[];
  id?: unknown;
}

/** `score` for a row with a target: `{"row", "target", "logprob", "rank", "id"?, "top_logprobs"?}`. */
export interface ScoreRecord {
  row: number;
  target: number;
  logprob: number;
  rank: number;
  id?: unknown;
  top_logprobs?: TopLogprob[];
}

/** `score` for a row without a target: `{"row", "entropy", "id"?}`. */
export interface EntropyRecord {
  row: number;
  entropy: number;
  id?: unknown;
}

/** The last line of `score`: `{"summary": {"rows", "mean_nll", "perplexity"}}`. */
export interface SummaryRecord {
  summary: { rows: number; mean_nll: number; perplexity: number };
}

export type OutputRecord = SampleRecord | SoftmaxRecord | ScoreRecord | EntropyRecord | SummaryRecord;
export type RecordKind = "sample" | "softmax" | "score" | "entropy" | "summary";

const ALLOWED: Record<RecordKind, ReadonlySet<string>> = {
  sample: new Set(["row", "token", "logprob", "id", "top_logprobs"]),
  softmax: new Set(["row", "probs", "logprobs", "top", "id"]),
  score: new Set(["row", "target", "logprob", "rank", "id", "top_logprobs"]),
  entropy: new Set(["row", "entropy", "id"]),
  summary: new Set(["summary"]),
};

function fail(problem: string, index: number): never {
  throw new WireError("E_WIRE_RECORD", `output record${index >= 0 ? ` ${index}` : ""}: ${problem}`, {
    frame: index,
    byteOffset: -1,
  });
}

const isInt = (v: unknown, min: number): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= min;
// Log-probabilities may be -Infinity (a banned token); NaN or +Infinity never are.
const isLogprob = (v: unknown): v is number =>
  typeof v === "number" && !Number.isNaN(v) && v !== Number.POSITIVE_INFINITY;
const isNumArray = (v: unknown): v is ArrayLike<number> =>
  (Array.isArray(v) && v.every((x) => typeof x === "number")) ||
  v instanceof Float32Array ||
  v instanceof Float64Array;

/**
 * Which record of the CLI contract `value` is, after checking it at runtime: field types, ranges
 * (row ≥ 0, rank ≥ 1, token ids ≥ 0, log-probabilities ≤ 0 or -Infinity…) and no unknown fields.
 * Throws a WireError (code E_WIRE_RECORD) naming the record index and field otherwise.
 */
export function validateRecord(value: unknown, index = -1): RecordKind {
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail("must be an object", index);
  const r = value as Record<string, unknown>;
  let kind: RecordKind;
  if (Object.hasOwn(r, "summary")) kind = "summary";
  else if (Object.hasOwn(r, "target")) kind = "score";
  else if (Object.hasOwn(r, "token")) kind = "sample";
  else if (Object.hasOwn(r, "entropy")) kind = "entropy";
  else if (Object.hasOwn(r, "probs") || Object.hasOwn(r, "logprobs") || Object.hasOwn(r, "top"))
    kind = "softmax";
  else fail("is none of sample, softmax, score, entropy or summary records", index);
  for (const k of Object.keys(r))
    if (!ALLOWED[kind].has(k)) fail(`unexpected field "${k}" in a ${kind} record`, index);
  if (kind === "summary") {
    const s = r.summary as Record<string, unknown> | null;
    if (s === null || typeof s !== "object") fail("summary must be an object", index);
    if (!isInt(s.rows, 0)) fail("summary.rows must be a non-negative integer", index);
    if (typeof s.mean_nll !== "number") fail("summary.mean_nll must be a number", index);
    if (typeof s.perplexity !== "number") fail("summary.perplexity must be a number", index);
    return kind;
  }
  if (!isInt(r.row, 0)) fail("row must be a non-negative integer", index);
  if (valueDepth(r.id) > MAX_ID_DEPTH)
    fail(`id nests arrays/objects deeper than ${MAX_ID_DEPTH} levels`, index);
  const checkTop = (top: unknown): void => {
    if (!Array.isArray(top)) fail("top_logprobs must be an array", index);
    for (const e of top) {
      if (e === null || typeof e !== "object" || !isInt(e.token, 0) || !isLogprob(e.logprob)) {
        fail("top_logprobs entries must be {token: id, logprob: number}", index);
      }
    }
  };
  if (kind === "sample" || kind === "score") {
    if (!isLogprob(r.logprob) || (r.logprob as number) > 0) fail("logprob must be a number ≤ 0", index);
    if (r.top_logprobs !== undefined) checkTop(r.top_logprobs);
  }
  if (kind === "sample" && !isInt(r.token, 0)) fail("token must be a non-negative integer", index);
  if (kind === "score") {
    if (!isInt(r.target, 0)) fail("target must be a non-negative integer", index);
    if (!isInt(r.rank, 1)) fail("rank must be an integer ≥ 1", index);
  }
  if (kind === "entropy" && (typeof r.entropy !== "number" || !(r.entropy >= 0)))
    fail("entropy must be a number ≥ 0", index);
  if (kind === "softmax") {
    const n = Number(r.probs !== undefined) + Number(r.logprobs !== undefined) + Number(r.top !== undefined);
    if (n !== 1) fail("a softmax record has exactly one of probs, logprobs, top", index);
    if (r.probs !== undefined && !isNumArray(r.probs)) fail("probs must be an array of numbers", index);
    if (r.logprobs !== undefined && !isNumArray(r.logprobs))
      fail("logprobs must be an array of numbers", index);
    if (r.top !== undefined) {
      if (!Array.isArray(r.top)) fail("top must be an array", index);
      for (const e of r.top) {
        const ok =
          e !== null &&
          typeof e === "object" &&
          isInt(e.token, 0) &&
          (typeof e.prob === "number" || isLogprob(e.logprob));
        if (!ok) fail("top entries must be {token, prob} or {token, logprob}", index);
      }
    }
  }
  return kind;
}
