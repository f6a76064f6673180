import { LogitstreamError } from "@logitstream/core";
import { topStride } from "./checkRequest.js";
import type { Kernels } from "./kernels.js";
import { mergeRuns } from "./mergeOutputs.js";
import type {
  ByteChunkLike,
  CompareJob,
  Job,
  OutputFormat,
  RowBatchLike,
  SampleJob,
  SamplerParamsLike,
  ScoreJob,
  SoftmaxJob,
  TaskMessage,
  TaskOutput,
} from "./protocol.js";
import { wantsArrays } from "./protocol.js";
import { serializeError } from "./serializeError.js";
import { uniformRuns } from "./uniformRuns.js";

// Grow-only scratch for softmax rows that are only serialized (never returned): a fresh buffer of
// tens of MB per task costs ~12 ns per float here (docs/PERFORMANCE.md), as much as the math.
let scratch = new Float32Array(0);
function scratchOf(n: number): Float32Array {
  if (scratch.length < n) scratch = new Float32Array(n);
  return scratch.length === n ? scratch : scratch.subarray(0, n);
}

// Element sizes of the binary row formats' dtypes (wire's DTYPE_BYTES).
const ELEMENT_BYTES: Readonly<Record<string, number>> = { f32: 4, f16: 2, bf16: 2, f64: 8 };

// Worker-local copy of a task's frames. The host shares them (SharedArrayBuffer) so it can retry the
// task if this worker dies, but V8 copies out of shared memory at unaligned offsets byte by byte
// (~2 ns/byte vs ~0.25 measured), and decoders copy row payloads from arbitrary offsets (msgpack bin,
// NDJSON text). One aligned copy into local memory first is cheaper than those slow copies. Whole binary
// rows at an element-aligned offset (raw, .npy and safetensors data, as the framer cuts them) need no
// copy: the decoder reads them through a typed-array view of the shared bytes, as a shared batch is read
// (an f32 chunk becomes the batch's data with no copy at all).
let localBytes = new Uint8Array(0);
function unshared(chunk: ByteChunkLike): Uint8Array {
  const bytes = chunk.bytes;
  if (!(bytes.buffer instanceof SharedArrayBuffer)) return bytes;
  const size = chunk.dtype === undefined ? undefined : ELEMENT_BYTES[chunk.dtype];
  const binaryRows = chunk.format !== "ndjson" && chunk.format !== "msgpack";
  if (binaryRows && size !== undefined && bytes.byteOffset % size === 0) return bytes;
  if (localBytes.length < bytes.length)
    localBytes = new Uint8Array(Math.max(bytes.length, 2 * localBytes.length));
  const view = localBytes.subarray(0, bytes.length);
  view.set(bytes);
  return view;
}

// Worker-local memory for decoded rows, reused by every task: the batch is consumed within the task
// (results are fresh arrays), so a fresh rows × vocab Float32Array per task — 8 MiB for 64 rows of
// 32,768, twice its float16 input — is only garbage that piles up between collections (it counted for
// ~100 MB per worker in the 2 GiB float16 pipe test). Batches beyond DECODE_KEEP elements (one huge row)
// get a fresh array, so the worker does not keep that much for good.
const DECODE_KEEP = 4 * 1024 * 1024;
let decoded32 = new Float32Array(0);
function decodeInto(elements: number): Float32Array {
  if (elements > DECODE_KEEP) return new Float32Array(elements);
  if (decoded32.length < elements)
    decoded32 = new Float32Array(Math.min(DECODE_KEEP, Math.max(elements, 2 * decoded32.length)));
  return decoded32;
}

/**
 * Runs one task: decodes the frames if the task carries bytes, computes with the core's batch kernel,
 * and encodes the output records if asked. The same function runs in a worker and inline on the calling
 * thread, so both paths give identical bytes. Row `r` of the batch is global row `firstRow + r`: that is
 * its random stream, so results do not depend on how the input was split or which thread ran it.
 *
 * Throws the kernel's typed error for a bad row with `onError: "throw"`.
 */
export function runTask(task: TaskMessage, k: Kernels): TaskOutput {
  let batch: RowBatchLike & { errors?: Error[] };
  let decodeError: Error | undefined;
  if (task.batch !== undefined) {
    batch = task.batch;
  } else {
    const chunk = task.chunk!;
    // NDJSON and msgpack frames say how long their rows are: a chunk whose rows differ is decoded
    // packed (with offsets) and computed run by run (computeBatch), not refused.
    const decoded = k.decodeChunkPrefix(
      { ...chunk, bytes: unshared(chunk) },
      { data: decodeInto, ragged: true },
    );
    batch = decoded.batch;
    decodeError = decoded.error;
    // No row decoded (the first frame was bad), or every row was skipped before the vocabulary was
    // known: there is nothing for the kernels (which reject vocab 0), only the decode error to deliver.
    if (isUndecoded(decoded.batch)) return undecodedOutput(task.job, decoded.batch, decodeError);
  }
  let output: TaskOutput;
  try {
    output = computeBatch(task, batch, k);
  } catch (e) {
    // A bad row with onError "throw": keep the rows before it, so the caller can deliver them first.
    const row = (e as { row?: unknown }).row;
    if (!(e instanceof LogitstreamError) || typeof row !== "number" || row < batch.firstRow) throw e;
    if (row >= batch.firstRow + batch.rows) throw e;
    output = computeBatch(task, prefixOf(batch, row - batch.firstRow), k);
    output.failure = serializeError(e);
    return output;
  }
  if (batch.errors !== undefined && batch.errors.length > 0)
    output.wireErrors = serializeWireErrors(batch.errors, (batch as { skippedRows?: number[] }).skippedRows);
  if (decodeError !== undefined) output.failure = serializeError(decodeError);
  return output;
}

/**
 * Whether a decoded batch has no row the kernels could run: none at all (the chunk's first frame was
 * bad), or only rows skipped before any good row fixed the vocabulary (vocab 0).
 */
export function isUndecoded(batch: {
  rows: number;
  vocab: number;
  offsets?: Int32Array | undefined;
}): boolean {
  return batch.rows === 0 || (batch.vocab < 1 && batch.offsets === undefined);
}

/**
 * The output of a chunk whose decoded batch {@link isUndecoded}: no records, every row reported as a
 * skipped bad row (its wire error, naming the global row, as the kernels report a skipped row), and the
 * decode error — the frame and byte offset — as the task's failure. Never calls a kernel.
 */
export function undecodedOutput(
  job: Job,
  batch: RowBatchLike & { errors?: Error[]; skippedRows?: number[] },
  decodeError: Error | undefined,
): TaskOutput {
  const rows = batch.rows;
  const out: TaskOutput = {
    kind: job.kind,
    firstRow: batch.firstRow,
    rows,
    vocab: Math.max(0, batch.vocab),
    errors: [],
  };
  const wire = batch.errors ?? [];
  if (wire.length > 0) out.wireErrors = serializeWireErrors(wire, batch.skippedRows);
  for (let r = 0; r < rows; r++) {
    // Skipped rows (onError "skip"): one error per row, naming it, like a kernel's skipped row.
    const e = serializeError(wire[Math.min(r, wire.length - 1)] ?? new Error("row could not be decoded"));
    e.props.row = batch.skippedRows?.[r] ?? batch.firstRow + r;
    out.errors.push(e);
  }
  if (decodeError !== undefined) out.failure = serializeError(decodeError);
  const arrays = wantsArrays(job);
  if (job.kind === "sample") {
    if (arrays) {
      const n = topStride(job.logprobs, batch.vocab);
      out.tokens = new Int32Array(rows).fill(-1);
      out.logprobs = new Float64Array(rows).fill(Number.NaN);
      out.ranks = new Int32Array(rows);
      if (n > 0) {
        out.topTokens = new Int32Array(rows * n).fill(-1);
        out.topLogprobs = new Float64Array(rows * n).fill(Number.NaN);
      }
      if (job.processed === true) out.processedLogprobs = new Float64Array(rows).fill(Number.NaN);
    }
  } else if (job.kind === "score") {
    out.logprobs = new Float64Array(rows).fill(Number.NaN);
    out.targets = new Int32Array(rows).fill(-1);
    if (arrays) {
      const n = topStride(job.top, batch.vocab);
      out.ranks = new Int32Array(rows);
      out.entropies = new Float64Array(rows).fill(Number.NaN);
      if (n > 0) {
        out.topTokens = new Int32Array(rows * n).fill(-1);
        out.topLogprobs = new Float64Array(rows * n).fill(Number.NaN);
      }
    }
  } else if (job.kind === "compare") {
    if (arrays) Object.assign(out, compareArrays(rows));
  } else if (arrays) {
    if ((job.top ?? 0) > 0) {
      out.topTokens = new Int32Array(0);
      out.topLogprobs = new Float64Array(0);
    } else out.probs = new Float32Array(0);
  }
  if (job.output !== undefined) out.bytes = new Uint8Array(0);
  return out;
}

/**
 * Wire's errors for the rows it skipped (`batch.errors`, aligned with `batch.skippedRows`), serialized
 * with the global `row` each one is about, so the host can report wire's reason for a skipped row
 * instead of the kernel's "NaN logit" for the NaN row wire left in its place.
 */
export function serializeWireErrors(errors: readonly Error[], skippedRows: readonly number[] | undefined) {
  return errors.map((e, i) => {
    const s = serializeError(e);
    const row = skippedRows?.[i];
    if (row !== undefined) s.props.row = row;
    return s;
  });
}

/**
 * Computes a batch: a uniform one in one kernel call; one whose rows differ in length (`offsets`) run by
 * run of equal-length rows, the outputs joined in row order. Each row keeps its global index, so its
 * draw and its record are the ones any other split gives.
 */
function computeBatch(task: TaskMessage, batch: RowBatchLike, k: Kernels): TaskOutput {
  const targets = task.targets === undefined ? batch.targets : task.targets.subarray(0, batch.rows);
  if (batch.offsets === undefined) return compute(task.job, batch, targets, task.out, k);
  const outputs = uniformRuns(batch).map(({ start, batch: run }) =>
    compute(task.job, run, targets?.subarray(start, start + run.rows), undefined, k),
  );
  return mergeRuns(batch, outputs);
}

function compute(
  job: Job,
  batch: RowBatchLike,
  targets: Int32Array | undefined,
  out: Float32Array | undefined,
  k: Kernels,
): TaskOutput {
  if (job.kind === "sample") return runSample(job, batch, k);
  if (job.kind === "score") return runScore(job, batch, targets, k);
  if (job.kind === "compare") return runCompare(job, batch, targets, k);
  return runSoftmax(job, batch, out, k);
}

/**
 * The first `rows` rows of a batch (views, no copies). No rows of a batch whose rows differ: an empty
 * uniform batch of its first row's length (the kernels take no vocabulary 0).
 */
function prefixOf(b: RowBatchLike, rows: number): RowBatchLike {
  const offsets = b.offsets;
  const p: RowBatchLike = {
    firstRow: b.firstRow,
    rows,
    vocab: offsets === undefined ? b.vocab : rows === 0 ? offsets[1]! - offsets[0]! : 0,
    data: b.data.subarray(0, offsets === undefined ? rows * b.vocab : offsets[rows]),
  };
  if (offsets !== undefined && rows > 0) p.offsets = offsets.subarray(0, rows + 1);
  if (b.targets !== undefined) p.targets = b.targets.subarray(0, rows);
  if (b.ids !== undefined) p.ids = b.ids.slice(0, rows);
  if (b.params !== undefined) p.params = b.params.slice(0, rows);
  return p;
}

function base(job: Job, b: RowBatchLike): TaskOutput {
  return { kind: job.kind, firstRow: b.firstRow, rows: b.rows, vocab: b.vocab, errors: [] };
}

function badRows(errors: readonly Error[]): Set<number> {
  const rows = new Set<number>();
  for (const e of errors) {
    const row = (e as { row?: unknown }).row;
    if (typeof row === "number") rows.add(row);
  }
  return rows;
}

function runSample(job: SampleJob, b: RowBatchLike, k: Kernels): TaskOutput {
  const jobParams = job.params ?? {};
  let params: SamplerParamsLike | SamplerParamsLike[] = jobParams;
  if (b.params !== undefined) {
    // Per-row params from the frames override the job's, key by key.
    const perRow = new Array<SamplerParamsLike>(b.rows);
    for (let r = 0; r < b.rows; r++) {
      const p = b.params[r];
      perRow[r] = p === undefined ? jobParams : { ...jobParams, ...p };
    }
    params = perRow;
  }
  const n = topStride(job.logprobs, b.vocab);
  const res = k.sampleBatch(b.data, b.rows, b.vocab, params, {
    firstRow: b.firstRow,
    logprobs: job.logprobs ?? 0,
    processed: job.processed ?? false,
    onError: job.onError ?? "throw",
  });
  const out = base(job, b);
  out.errors = res.errors.map(serializeError);
  if (wantsArrays(job)) {
    out.tokens = res.tokens;
    out.logprobs = res.logprobs;
    out.ranks = res.ranks;
    if (res.topTokens !== undefined) out.topTokens = res.topTokens;
    if (res.topLogprobs !== undefined) out.topLogprobs = res.topLogprobs;
    if (res.processedLogprobs !== undefined) out.processedLogprobs = res.processedLogprobs;
  }
  if (job.output !== undefined) {
    out.bytes = encodeRows(
      job.output,
      b,
      k,
      (r) => {
        const token = res.tokens[r]!;
        // A skipped bad row (onError: "skip") has no record: it is reported in `errors`.
        return token < 0 ? null : { row: b.firstRow + r, token, logprob: res.logprobs[r]! };
      },
      topLogprobsOf(n, res.topTokens, res.topLogprobs),
    );
  }
  return out;
}

function runScore(job: ScoreJob, b: RowBatchLike, targets: Int32Array | undefined, k: Kernels): TaskOutput {
  const n = topStride(job.top, b.vocab);
  const res = k.scoreBatch(b.data, b.rows, b.vocab, targets ?? null, {
    firstRow: b.firstRow,
    top: job.top ?? 0,
    onError: job.onError ?? "throw",
  });
  const out = base(job, b);
  out.errors = res.errors.map(serializeError);
  // The host sums NLL in global row order (deterministic for any split), so logprobs and targets
  // always come back; they are rows × 12 bytes.
  out.logprobs = res.logprobs;
  out.targets = targets ?? new Int32Array(b.rows).fill(-1);
  if (wantsArrays(job)) {
    out.ranks = res.ranks;
    out.entropies = res.entropies;
    if (res.topTokens !== undefined) out.topTokens = res.topTokens;
    if (res.topLogprobs !== undefined) out.topLogprobs = res.topLogprobs;
  }
  if (job.output !== undefined) {
    const skipped = badRows(res.errors);
    out.bytes = encodeRows(
      job.output,
      b,
      k,
      (r) => {
        const row = b.firstRow + r;
        if (skipped.has(row)) return null;
        const target = targets === undefined ? -1 : targets[r]!;
        return target >= 0
          ? { row, target, logprob: res.logprobs[r]!, rank: res.ranks[r]! }
          : { row, entropy: res.entropies[r]! };
      },
      topLogprobsOf(n, res.topTokens, res.topLogprobs),
    );
  }
  return out;
}

function runSoftmax(
  job: SoftmaxJob,
  b: RowBatchLike,
  given: Float32Array | undefined,
  k: Kernels,
): TaskOutput {
  const { rows, vocab } = b;
  const log = job.log ?? false;
  const temperature = job.temperature ?? 1;
  const n = topStride(job.top, vocab);
  const out = base(job, b);
  if (n > 0) {
    // Top-N: the N most likely tokens of each row, from log-softmax (exact on the raw row at T = 1).
    let src = b.data;
    if (temperature !== 1) {
      src = scratchOf(rows * vocab);
      k.softmaxBatch(b.data, rows, vocab, src, { log: true, temperature, firstRow: b.firstRow });
    }
    const ids = new Int32Array(rows * n);
    const lps = new Float64Array(rows * n);
    for (let r = 0; r < rows; r++) {
      k.topLogprobs({
        data: src,
        offset: r * vocab,
        length: vocab,
        n,
        outIds: ids,
        outLogprobs: lps,
        outOffset: r * n,
        row: b.firstRow + r,
      });
    }
    if (wantsArrays(job)) {
      out.topTokens = ids;
      out.topLogprobs = lps;
    }
    if (job.output !== undefined) {
      const as = log ? "logprob" : "prob";
      out.bytes = encodeRows(
        job.output,
        b,
        k,
        (r) => ({ row: b.firstRow + r }),
        (rec, r) => {
          rec.top = topEntries(ids, lps, r * n, n, as);
        },
      );
    }
    return out;
  }
  const arrays = wantsArrays(job);
  const dest = given ?? (arrays ? new Float32Array(rows * vocab) : scratchOf(rows * vocab));
  k.softmaxBatch(b.data, rows, vocab, dest, { log, temperature, firstRow: b.firstRow });
  if (arrays && given === undefined) out.probs = dest;
  if (job.output !== undefined) {
    const key = log ? "logprobs" : "probs";
    out.bytes = encodeRows(
      job.output,
      b,
      k,
      (r) => ({ row: b.firstRow + r }),
      (rec, r) => {
        rec[key] = dest.subarray(r * vocab, (r + 1) * vocab);
      },
    );
  }
  return out;
}

/** The per-row arrays of a compare output, filled as for rows that produced nothing. */
function compareArrays(rows: number) {
  return {
    kls: new Float64Array(rows).fill(Number.NaN),
    top1Base: new Int32Array(rows).fill(-1),
    top1New: new Int32Array(rows).fill(-1),
    pBase: new Float64Array(rows).fill(Number.NaN),
    pNew: new Float64Array(rows).fill(Number.NaN),
    targets: new Int32Array(rows).fill(-1),
  };
}

/**
 * Compares the two halves of each row (base ‖ new, V each): KL, both top-1 tokens and, with a target,
 * its probability under each model. A bad row throws the core's typed error (onError "throw"), or is
 * left out of the records with its arrays at their empty values and reported in `errors` ("skip").
 */
function runCompare(
  job: CompareJob,
  b: RowBatchLike,
  targets: Int32Array | undefined,
  k: Kernels,
): TaskOutput {
  const v = b.vocab / 2;
  const out = base(job, b);
  const arrays = compareArrays(b.rows);
  const skipped = new Set<number>();
  for (let r = 0; r < b.rows; r++) {
    const row = b.firstRow + r;
    const target = targets === undefined ? -1 : targets[r]!;
    arrays.targets[r] = target;
    let c: ReturnType<Kernels["compareRowsStrided"]>;
    try {
      c = k.compareRowsStrided(
        { data: b.data, offset: r * b.vocab, length: v },
        { data: b.data, offset: r * b.vocab + v, length: v },
        { target, row },
      );
    } catch (e) {
      if (job.onError !== "skip" || !(e instanceof LogitstreamError)) throw e;
      out.errors.push(serializeError(e));
      skipped.add(r);
      continue;
    }
    arrays.kls[r] = c.kl;
    arrays.top1Base[r] = c.top1Base;
    arrays.top1New[r] = c.top1New;
    arrays.pBase[r] = c.pBase;
    arrays.pNew[r] = c.pNew;
  }
  // The host summarizes in row order from these arrays, so they always come back (rows × 40 bytes).
  Object.assign(out, arrays);
  if (job.output !== undefined) {
    out.bytes = encodeRows(job.output, b, k, (r) => {
      if (skipped.has(r)) return null;
      const top1Base = arrays.top1Base[r]!;
      const top1New = arrays.top1New[r]!;
      const rec: OutputRecord = {
        row: b.firstRow + r,
        kl: arrays.kls[r]!,
        top1_base: top1Base,
        top1_new: top1New,
        top1_same: top1Base === top1New,
      };
      if (arrays.targets[r]! >= 0) {
        rec.target = arrays.targets[r]!;
        rec.p_base = arrays.pBase[r]!;
        rec.p_new = arrays.pNew[r]!;
        rec.dp = arrays.pNew[r]! - arrays.pBase[r]!;
      }
      return rec;
    });
  }
  return out;
}

type OutputRecord = Record<string, unknown>;

/**
 * A batch's output records, encoded: for each row `head(r)` (null: no record — a skipped bad row),
 * then the frame's id if it had one, then what `tail` adds — the field order of the record contract.
 */
function encodeRows(
  format: OutputFormat,
  b: RowBatchLike,
  k: Kernels,
  head: (r: number) => OutputRecord | null,
  tail?: (rec: OutputRecord, r: number) => void,
): Uint8Array {
  const records: OutputRecord[] = [];
  for (let r = 0; r < b.rows; r++) {
    const rec = head(r);
    if (rec === null) continue;
    if (b.ids !== undefined && b.ids[r] !== undefined) rec.id = b.ids[r];
    tail?.(rec, r);
    records.push(rec);
  }
  return k.encodeRecords(records, format);
}

/** The tail that adds a row's `top_logprobs` (when n > 0 and the kernel returned them). */
function topLogprobsOf(
  n: number,
  ids: Int32Array | undefined,
  lps: Float64Array | undefined,
): ((rec: OutputRecord, r: number) => void) | undefined {
  if (n <= 0 || ids === undefined || lps === undefined) return undefined;
  return (rec, r) => {
    rec.top_logprobs = topEntries(ids, lps, r * n, n, "logprob");
  };
}

function topEntries(
  ids: Int32Array,
  lps: Float64Array,
  at: number,
  n: number,
  as: "logprob" | "prob",
): { token: number; logprob?: number; prob?: number }[] {
  const entries = new Array<{ token: number; logprob?: number; prob?: number }>(n);
  for (let j = 0; j < n; j++) {
    const lp = lps[at + j]!;
    entries[j] =
      as === "logprob" ? { token: ids[at + j]!, logprob: lp } : { token: ids[at + j]!, prob: Math.exp(lp) };
  }
  return entries;
}
