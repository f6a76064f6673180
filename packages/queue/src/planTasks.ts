import {
  type ByteChunk,
  type ByteInput,
  DTYPE_BYTES,
  frameChunks,
  type ReadOptions,
  WireError,
} from "@logitstream/wire";
import { asByteReader } from "./asByteReader.js";
import type { ChunkRef } from "./taskData.js";

/** One task of a job as the coordinator plans it: its rows, its chunks, and (stdin) its bytes. */
export interface PlannedTask {
  index: number;
  firstRow: number;
  rows: number;
  chunks: ChunkRef[];
  /** The task's bytes when the workers cannot read the input themselves (stdin, a pipe). */
  blob?: Uint8Array;
}

/** How the input is cut into tasks. */
interface PlanOptions {
  /** wire's read options (format, vocab, tensor, onError). */
  read: ReadOptions;
  /** Most rows per task. */
  taskRows: number;
  /** Most input bytes per task (a task always holds at least one chunk). */
  taskBytes: number;
  /**
   * The input as a path every worker can read (shared storage): tasks carry byte ranges and the
   * workers read them. Absent: tasks carry their bytes (`blob`).
   */
  path?: string;
  /** Size of the file at `path`, in bytes (raw rows are planned from it without reading the file). */
  size?: number;
}

/**
 * Cuts an input into tasks of whole chunks (wire's `frameChunks`: NDJSON lines, msgpack frames,
 * binary rows), each at most `taskRows` rows and about `taskBytes` bytes. Task boundaries depend only on
 * the bytes and the options, so a restarted coordinator plans the same tasks.
 *
 * Method: raw f32/f16/bf16 files are planned from the file size alone (rows are fixed-width), so the
 * coordinator never reads them; other files are framed on the coordinator (boundaries only, no number
 * parsing) and their bytes dropped; stdin is framed and each task's bytes kept as its blob.
 *
 * @param input the bytes to plan (ignored for a raw file planned from its size)
 * @example for await (const t of planTasks(reader, { read: { format: "f32", vocab: 32000 }, taskRows: 4096, taskBytes: 16 << 20, path, size })) enqueue(t)
 */
export async function* planTasks(input: ByteInput, opts: PlanOptions): AsyncGenerator<PlannedTask> {
  const f = opts.read.format;
  const raw = f === "f32" || f === "f16" || f === "bf16";
  const pieces =
    raw && opts.path !== undefined && opts.size !== undefined && opts.read.vocab !== undefined
      ? rawFilePieces(opts.size, f, opts.read)
      : framedPieces(input, opts.read, opts.path === undefined);
  let index = 0;
  let group: Piece[] = [];
  let rows = 0;
  let bytes = 0;
  const flush = (): PlannedTask => {
    let at = 0;
    const chunks = group.map((p): ChunkRef => {
      const ref: ChunkRef = {
        ...p.chunk,
        at: opts.path !== undefined ? p.chunk.byteOffset : at,
        length: p.length,
      };
      at += p.length;
      return ref;
    });
    const task: PlannedTask = { index: index++, firstRow: group[0]!.chunk.firstRow, rows, chunks };
    if (opts.path === undefined) {
      const blob = new Uint8Array(at);
      let o = 0;
      for (const p of group) {
        blob.set(p.bytes!, o);
        o += p.length;
      }
      task.blob = blob;
    }
    group = [];
    rows = 0;
    bytes = 0;
    return task;
  };
  for await (const p of pieces) {
    if (group.length > 0 && (rows + p.chunk.rows > opts.taskRows || bytes + p.length > opts.taskBytes)) {
      yield flush();
    }
    group.push(p);
    rows += p.chunk.rows;
    bytes += p.length;
  }
  if (group.length > 0) yield flush();
}

/** A chunk of wire's framer without its bytes, its length, and the bytes when they must travel. */
interface Piece {
  chunk: Omit<ByteChunk, "bytes">;
  length: number;
  bytes?: Uint8Array;
}

async function* framedPieces(input: ByteInput, read: ReadOptions, keepBytes: boolean): AsyncGenerator<Piece> {
  for await (const c of frameChunks(asByteReader(input), read)) {
    const { bytes, ...chunk } = c;
    yield keepBytes ? { chunk, length: bytes.byteLength, bytes } : { chunk, length: bytes.byteLength };
  }
}

/**
 * The chunks wire's framer would cut from a raw file of `size` bytes, without reading it. A trailing
 * partial row is the framer's truncation error, thrown after every whole row.
 */
async function* rawFilePieces(
  size: number,
  dtype: "f32" | "f16" | "bf16",
  read: ReadOptions,
): AsyncGenerator<Piece> {
  const vocab = read.vocab!;
  const rowBytes = vocab * DTYPE_BYTES[dtype];
  const perChunk = Math.max(
    1,
    Math.min(read.maxBatchRows ?? 64, Math.floor((read.maxChunkBytes ?? 4 << 20) / rowBytes)),
  );
  const total = Math.floor(size / rowBytes);
  for (let row = 0; row < total; row += perChunk) {
    const n = Math.min(perChunk, total - row);
    const chunk: Omit<ByteChunk, "bytes"> = {
      format: dtype,
      firstRow: row,
      rows: n,
      firstFrame: row,
      byteOffset: row * rowBytes,
      vocab,
      dtype,
      onError: read.onError ?? "throw",
    };
    if (read.maxVocab !== undefined) chunk.maxVocab = read.maxVocab;
    yield { chunk, length: n * rowBytes };
  }
  const rest = size - total * rowBytes;
  if (rest > 0) {
    throw new WireError(
      "E_WIRE_TRUNCATED",
      `row ${total} is cut short: ${rest} of its ${rowBytes} bytes (${vocab} × ${dtype}) are present`,
      { frame: total, byteOffset: total * rowBytes },
    );
  }
}
