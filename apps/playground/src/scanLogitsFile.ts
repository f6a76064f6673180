import { scoreBatch } from "@logitstream/core";
import { type ByteReader, type Format, readBatches } from "@logitstream/wire";

/** Per-row figures of a logits file, kept for browsing (≈ 100 bytes per row with the default top 10). */
export interface FileScan {
  rows: number;
  vocab: number;
  /** Entropy of softmax(row), nats. */
  entropies: Float64Array;
  /** Target per row (−1: none), its log-probability (NaN without target) and rank (0 without). */
  targets: Int32Array;
  logprobs: Float64Array;
  ranks: Int32Array;
  /** The `top` most likely tokens of each row and their log-probabilities (rows × top). */
  top: number;
  topTokens: Int32Array;
  topLogprobs: Float32Array;
  /** exp(−mean log p(target)) over the rows with a target (NaN when none has one). */
  perplexity: number;
  scored: number;
}

/** Options of {@link scanLogitsFile}. */
interface ScanOptions {
  format?: Format;
  tensor?: string;
  /** Targets beside the rows (a targets file, as `score --targets`): replace the frames' targets. */
  targets?: Int32Array;
  /** Alternatives kept per row for browsing (default 10). */
  top?: number;
  /** Called after each batch with the rows read so far and the bytes read. */
  onProgress?: (rows: number, bytes: number) => void;
}

/** A ByteReader over a browser `File`: reads slice by slice, so a large file is never held whole. */
export function fileReader(file: Blob): ByteReader & { readonly position: number } {
  let position = 0;
  return {
    get position() {
      return position;
    },
    async readInto(into: Uint8Array): Promise<number> {
      const end = Math.min(file.size, position + into.length);
      if (end <= position) return 0;
      const bytes = new Uint8Array(await file.slice(position, end).arrayBuffer());
      into.set(bytes);
      position = end;
      return bytes.length;
    },
  };
}

/** A batch's targets: from the targets file when given (−1 past its end; the count is checked at the end), else the frames'. */
function targetsOf(
  batch: { firstRow: number; rows: number; targets?: Int32Array },
  file: Int32Array | undefined,
): Int32Array {
  if (file === undefined) return batch.targets ?? new Int32Array(batch.rows).fill(-1);
  const t = new Int32Array(batch.rows).fill(-1);
  t.set(file.subarray(batch.firstRow, batch.firstRow + batch.rows));
  return t;
}

/** Grows a typed array to hold at least `n` elements (doubling), keeping its contents. */
function grow<T extends Float64Array | Int32Array | Float32Array>(a: T, n: number): T {
  if (a.length >= n) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/**
 * Reads a logits file once, in streamed batches (wire's readers: .npy, safetensors, NDJSON, msgpack,
 * raw), and scores every row with core's `scoreBatch`: entropy, the target's log-probability and rank
 * (targets from the frames), and the top alternatives; then the perplexity over the rows with a
 * target — the numbers `logitstream score` prints for the same file.
 *
 * @param input - The file's bytes (see {@link fileReader}).
 * @param opts - Format (detected when absent), tensor, top N, progress callback.
 * @returns The per-row figures.
 * @throws the readers' `WireError` or core's typed errors for a bad file (naming row and byte offset).
 */
export async function scanLogitsFile(
  input: ByteReader & { readonly position?: number },
  opts: ScanOptions = {},
): Promise<FileScan> {
  const top = opts.top ?? 10;
  let entropies = new Float64Array(1024);
  let targets = new Int32Array(1024);
  let logprobs = new Float64Array(1024);
  let ranks = new Int32Array(1024);
  let topTokens = new Int32Array(1024 * top);
  let topLogprobs = new Float32Array(1024 * top);
  let rows = 0;
  let vocab = 0;
  let nll = 0;
  let scored = 0;
  const readOpts: { format?: Format; tensor?: string } = {};
  if (opts.format !== undefined) readOpts.format = opts.format;
  if (opts.tensor !== undefined && opts.tensor !== "") readOpts.tensor = opts.tensor;
  for await (const batch of readBatches(input, readOpts)) {
    vocab = batch.vocab;
    const k = Math.min(top, vocab);
    const t = targetsOf(batch, opts.targets);
    const r = scoreBatch(batch.data, batch.rows, batch.vocab, t, { firstRow: batch.firstRow, top: k });
    const n = rows + batch.rows;
    entropies = grow(entropies, n);
    targets = grow(targets, n);
    logprobs = grow(logprobs, n);
    ranks = grow(ranks, n);
    topTokens = grow(topTokens, n * top);
    topLogprobs = grow(topLogprobs, n * top);
    for (let i = 0; i < batch.rows; i++) {
      const at = rows + i;
      entropies[at] = r.entropies[i]!;
      targets[at] = t[i]!;
      logprobs[at] = r.logprobs[i]!;
      ranks[at] = r.ranks[i]!;
      topTokens.fill(-1, at * top, (at + 1) * top);
      for (let j = 0; j < k; j++) {
        topTokens[at * top + j] = r.topTokens![i * k + j]!;
        topLogprobs[at * top + j] = r.topLogprobs![i * k + j]!;
      }
      if (t[i]! >= 0) {
        nll -= r.logprobs[i]!;
        scored++;
      }
    }
    rows = n;
    opts.onProgress?.(rows, input.position ?? 0);
    await new Promise((resolve) => setTimeout(resolve, 0)); // let the page repaint between batches
  }
  if (opts.targets !== undefined && opts.targets.length !== rows) {
    throw new Error(
      `the targets file has ${opts.targets.length} targets but the logits file has ${rows} rows: give one per row`,
    );
  }
  return {
    rows,
    vocab,
    entropies: entropies.subarray(0, rows),
    targets: targets.subarray(0, rows),
    logprobs: logprobs.subarray(0, rows),
    ranks: ranks.subarray(0, rows),
    top,
    topTokens: topTokens.subarray(0, rows * top),
    topLogprobs: topLogprobs.subarray(0, rows * top),
    perplexity: scored > 0 ? Math.exp(nll / scored) : Number.NaN,
    scored,
  };
}
