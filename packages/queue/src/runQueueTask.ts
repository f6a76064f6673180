import { open } from "node:fs/promises";
import { AbortedError, LogitstreamError } from "@logitstream/core";
import { type Pool, PoolError, type StreamJob } from "@logitstream/pool";
import type { ByteChunk } from "@logitstream/wire";
import type { Redis } from "ioredis";
import { encodeResult } from "./resultCodec.js";
import type { ResultHeader, SerializedFailure, TaskData } from "./taskData.js";

/** What a task's run left in Redis. */
type TaskOutcome = "stored" | "job-gone";

/**
 * Runs one task on the local pool and stores its result: reads the task's chunks (from the shared file,
 * or from its blob in Redis), runs them through `pool.run` (decode, math and record encoding on every
 * core, results in row order), then stores records + summary values in one Redis value and pushes the
 * task's index to the job's done list.
 *
 * A data error (a bad row or frame) is a result, not a failure: the rows before it and the error are
 * stored, and the coordinator writes them and stops exactly as a local run does. Anything else
 * (Redis, a pool crash) throws, so BullMQ retries the task, on this machine or another.
 *
 * @param data the BullMQ job's data
 * @param deps the worker's pool and its Redis connection for data keys
 * @example await runQueueTask(job.data, { pool, redis })
 */
export async function runQueueTask(data: TaskData, deps: { pool: Pool; redis: Redis }): Promise<TaskOutcome> {
  const { pool, redis } = deps;
  // The job ended (finished, failed, cleaned up): nothing to compute, nothing to store.
  if ((await redis.exists(data.metaKey)) === 0) return "job-gone";
  const chunks = await loadChunks(data, deps);
  if (chunks === undefined) return "job-gone";
  const spec: StreamJob = data.spec.kind === "score" ? { ...data.spec, arrays: true } : data.spec;
  const parts: Uint8Array[] = [];
  const nll: number[] = [];
  let skipped = 0;
  let firstSkip: string | undefined;
  let failure: SerializedFailure | undefined;
  let rows = 0;
  try {
    for await (const r of pool.run(chunks, spec)) {
      if (r.bytes !== undefined && r.bytes.length > 0) parts.push(r.bytes);
      rows += r.rows;
      const bad = new Set<number>();
      for (const e of r.errors) {
        skipped++;
        firstSkip ??= e.message;
        const row = (e as { row?: unknown }).row;
        if (typeof row === "number") bad.add(row);
      }
      // The values the pool's own running total would add, in row order (see StreamTotals).
      if (r.kind === "score" && r.logprobs !== undefined && r.targets !== undefined) {
        for (let i = 0; i < r.rows; i++) {
          if (r.targets[i]! < 0 || bad.has(r.firstRow + i)) continue;
          const x = -r.logprobs[i]!;
          if (!Number.isNaN(x)) nll.push(x);
        }
      }
    }
  } catch (e) {
    if (!isDataError(e)) throw e;
    failure = serializeFailure(e);
  }
  const bytes = concat(parts);
  const header: ResultHeader = {
    index: data.index,
    firstRow: data.firstRow,
    rows,
    bytes: bytes.length,
    nll: nll.length,
    skipped,
  };
  if (firstSkip !== undefined) header.firstSkip = firstSkip;
  if (failure !== undefined) header.failure = failure;
  const value = encodeResult(header, bytes, Float64Array.from(nll));
  // Stored only while the job exists, in one step: a job that ended meanwhile gets no stray keys.
  const stored = await redis.eval(
    STORE_IF_JOB_EXISTS,
    3,
    data.metaKey,
    data.resultKey,
    data.doneKey,
    value,
    String(data.index),
    String(data.ttlSeconds),
  );
  if (stored === 0) return "job-gone";
  return "stored";
}

/**
 * KEYS: meta, result, done; ARGV: result value, task index, TTL seconds. Stores the result only while
 * the job exists and the coordinator has not written this task yet (a task that ran twice, after a
 * worker was wrongly thought dead, must not leave a second copy behind). Returns 1 if stored, else 0.
 */
const STORE_IF_JOB_EXISTS = `
local meta = redis.call('GET', KEYS[1])
if not meta then return 0 end
if tonumber(ARGV[2]) < cjson.decode(meta).written then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[3])
redis.call('RPUSH', KEYS[3], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[3])
return 1
`;

/** The task's chunks with their bytes in the pool's shared memory (no staging copy in the pool). */
async function loadChunks(
  data: TaskData,
  deps: { pool: Pool; redis: Redis },
): Promise<ByteChunk[] | undefined> {
  const out: ByteChunk[] = [];
  const source = data.source;
  if ("blobKey" in source) {
    const blob = await deps.redis.getBuffer(source.blobKey);
    if (blob === null) return undefined; // the job ended and its blobs were deleted
    for (const { at, length, ...chunk } of data.chunks) {
      const bytes = deps.pool.allocBytes(length);
      bytes.set(blob.subarray(at, at + length));
      out.push({ ...chunk, bytes });
    }
    return out;
  }
  const file = await open(source.path, "r");
  try {
    for (const { at, length, ...chunk } of data.chunks) {
      const bytes = deps.pool.allocBytes(length);
      let o = 0;
      while (o < length) {
        const { bytesRead } = await file.read(bytes, o, length - o, at + o);
        if (bytesRead === 0) break;
        o += bytesRead;
      }
      // A file shorter than when it was planned: hand the pool what is there; wire reports the cut row.
      out.push({ ...chunk, bytes: o === length ? bytes : bytes.subarray(0, o) });
    }
  } finally {
    await file.close();
  }
  return out;
}

/**
 * A row or frame the data made bad: the same on every attempt and on every machine. The pool's own
 * errors (a crashed or exhausted worker thread, a closed pool) and an abort (core's `AbortedError`, no
 * longer a `PoolError` since every package shares it) are not: BullMQ retries those.
 */
function isDataError(e: unknown): e is LogitstreamError {
  return e instanceof LogitstreamError && !(e instanceof PoolError) && !(e instanceof AbortedError);
}

function serializeFailure(e: LogitstreamError): SerializedFailure {
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k === "cause" || k === "code") continue;
    if (v === null || ["string", "number", "boolean"].includes(typeof v)) props[k] = v;
  }
  return { name: e.name, message: e.message, code: e.code, props };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
