import { readFile } from "node:fs/promises";
import { type ComparisonSummary, createComparisonStats, type Distribution } from "@logitstream/core";
import { createPool, type StreamJob, type StreamResult } from "@logitstream/pool";
import { encodeRecords, formatFromPath } from "@logitstream/wire";
import type { CommandContext } from "./command.js";
import { InputError, UsageError } from "./errors.js";
import type { ParsedArgs } from "./flags.js";
import { choice } from "./flags.js";
import { openInput } from "./input.js";
import { CompareInputError, type PairBatch, pairRows, type VocabMap } from "./pairRows.js";
import { createProgress } from "./progress.js";
import { readBatchesReusing } from "./readBatchesReusing.js";
import { readOptionsFrom } from "./readOptions.js";
import { FORMATS } from "./sharedFlags.js";
import { openTargets, type Targets } from "./targets.js";

export interface CompareJob {
  targets: string | undefined;
  vocabMap: string | undefined;
  summaryOnly: boolean;
  output: "ndjson" | "msgpack";
  threads: number;
  /** The pool's inlineThreshold (--inline-elements); undefined = its default. */
  inlineElements: number | undefined;
  workerMemoryMb: number;
  onError: "fail" | "skip";
  progress: boolean;
}

/**
 * compare: both inputs → wire's readers (main thread) → row pairs written into the pool's recycled
 * shared slabs → the pool's compare job (KL, top-1, Δp and the records, in workers or inline) → stdout in
 * row order, while the summary accumulates each row's figures in row order (the same bytes for every
 * --threads). Memory: the pool's bounded in-flight pairs (their slabs, plus at most maxInFlight + threads
 * idle ones) plus 16 bytes per row for the exact percentiles.
 */
export async function runCompareJob(ctx: CommandContext, args: ParsedArgs, job: CompareJob): Promise<void> {
  const [basePath, newPath] = args.positionals;
  if (basePath === undefined || newPath === undefined) {
    throw new UsageError("compare needs two inputs: BASE NEW (one of them may be - for stdin)");
  }
  if (basePath === "-" && newPath === "-") throw new UsageError("only one of BASE and NEW can be stdin (-)");
  const map = job.vocabMap === undefined ? undefined : await readVocabMap(job.vocabMap);
  const targets: Targets | undefined = job.targets === undefined ? undefined : await openTargets(job.targets);
  const baseIn = await openInput(basePath, ctx);
  const newIn = await openInput(newPath, ctx);
  const pool = createPool({
    threads: job.threads,
    ...(job.inlineElements === undefined ? {} : { inlineThreshold: job.inlineElements }),
    signal: ctx.signal,
    maxWorkerMemoryMb: job.workerMemoryMb,
  });
  const progress = createProgress(ctx.stderr, { totalBytes: baseIn.size, enabled: job.progress });
  const tally = new Tally();
  try {
    const pairs = withTargets(
      pairRows(
        readBatchesReusing(baseIn.source, readOptionsOf(args, basePath)),
        readBatchesReusing(newIn.source, readOptionsOf(args, newPath)),
        // Each pair batch is written into one of the pool's recycled slabs, which the pool takes back
        // once the batch's task has settled: a fresh buffer per batch cost a page fault per 4 KiB.
        { map, alloc: pool.allocBytes },
      ),
      targets,
      map,
    );
    const poolJob: StreamJob = { kind: "compare", onError: job.onError === "skip" ? "skip" : "throw" };
    if (!job.summaryOnly) poolJob.output = job.output;
    try {
      for await (const result of pool.run(pairs.batches, poolJob)) {
        if (result.bytes !== undefined && result.bytes.length > 0) {
          const wait = ctx.stdout.write(result.bytes);
          if (wait) await wait;
        }
        tally.add(result, targets);
        progress.update(result.rows, undefined);
      }
    } catch (err) {
      throw targets?.failureOf(err) ?? err;
    }
    if (targets !== undefined) await targets.finish(pairs.rowsRead());
    if (pairs.rowsRead() - tally.skipped > 0) {
      const wait = ctx.stdout.write(
        encodeRecords([summaryRecord(tally.stats.summary()) as never], job.output),
      );
      if (wait) await wait;
    }
  } finally {
    progress.stop();
    await pool.destroy();
    await targets?.close();
    await baseIn.close();
    await newIn.close();
    if (tally.skipped > 0) ctx.stderr.write(tally.skipMessage());
  }
}

/** The pairs with --targets attached (they replace the frames' targets), and how many rows were read. */
function withTargets(
  pairs: AsyncIterable<PairBatch>,
  targets: Targets | undefined,
  map: VocabMap | undefined,
): { batches: AsyncGenerator<PairBatch>; rowsRead: () => number } {
  let rowsRead = 0;
  async function* batches(): AsyncGenerator<PairBatch> {
    for await (const pair of pairs) {
      rowsRead = pair.firstRow + pair.rows;
      if (targets !== undefined) {
        await targets.prepare(pair.firstRow, pair.rows);
        const t = targets.take(pair.firstRow, pair.rows);
        if (t !== undefined) pair.targets = map === undefined ? t : mapTargets(t, map, pair.firstRow);
      }
      yield pair;
    }
  }
  return { batches: batches(), rowsRead: () => rowsRead };
}

/** The summary's accumulator and the skipped rows, fed each pool result in row order. */
class Tally {
  readonly stats = createComparisonStats();
  skipped = 0;
  private firstSkip: Error | undefined;

  add(result: StreamResult, targets: Targets | undefined): void {
    const bad = new Set<number>();
    for (const e of result.errors) {
      const failure = targets?.failureOf(e);
      if (failure !== undefined) throw failure;
      bad.add((e as { row?: number }).row ?? -1);
      this.skipped++;
      this.firstSkip ??= e;
    }
    for (let r = 0; r < result.rows; r++) {
      if (bad.has(result.firstRow + r)) continue;
      const pBase = result.pBase![r]!;
      const pNew = result.pNew![r]!;
      this.stats.add({
        kl: result.kls![r]!,
        top1Base: result.top1Base![r]!,
        top1New: result.top1New![r]!,
        pBase,
        pNew,
        dp: pNew - pBase,
      });
    }
  }

  skipMessage(): string {
    const first = this.firstSkip ? ` (first: ${this.firstSkip.message})` : "";
    return `logitstream compare: skipped ${this.skipped} bad row${this.skipped === 1 ? "" : "s"}${first}\n`;
  }
}

/** Read options for one of the two inputs: --format, or the format its own path names. */
function readOptionsOf(args: ParsedArgs, path: string) {
  const opts = readOptionsFrom({ ...args, positionals: [path] });
  if (choice(args, "format", FORMATS) === undefined) {
    const fromPath = path === "-" ? null : formatFromPath(path);
    if (fromPath === null) delete opts.format;
    else opts.format = fromPath;
  }
  return opts;
}

/** Base token ids of a targets file → positions in the map (negative values mean "none" and stay). */
function mapTargets(t: Int32Array, map: VocabMap, firstRow: number): Int32Array {
  const out = new Int32Array(t.length);
  for (let r = 0; r < t.length; r++) {
    const id = t[r]!;
    const j = id < 0 ? id : id < map.position.length ? map.position[id]! : -1;
    if (id >= 0 && j < 0) {
      throw new CompareInputError(firstRow + r, `target ${id} is not among the tokens of --vocab-map`);
    }
    out[r] = j;
  }
  return out;
}

/** `--vocab-map FILE`: lines `BASE_ID NEW_ID` (blank lines and `#` comments ignored), each id once. */
async function readVocabMap(path: string): Promise<VocabMap> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new InputError(`cannot open ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      cause: err,
    });
  }
  const base: number[] = [];
  const next: number[] = [];
  const seenBase = new Set<number>();
  const seenNext = new Set<number>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/#.*/, "").trim();
    if (line === "") continue;
    const parts = line.split(/\s+/);
    const ids = parts.map(Number);
    if (parts.length !== 2 || !ids.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 31)) {
      throw new UsageError(
        `--vocab-map ${path}, line ${i + 1}: expected two token ids "BASE_ID NEW_ID", got "${line}"`,
        "--vocab-map",
      );
    }
    const [b, n] = ids as [number, number];
    if (seenBase.has(b) || seenNext.has(n)) {
      throw new UsageError(
        `--vocab-map ${path}, line ${i + 1}: token ${seenBase.has(b) ? `BASE ${b}` : `NEW ${n}`} is mapped twice`,
        "--vocab-map",
      );
    }
    seenBase.add(b);
    seenNext.add(n);
    base.push(b);
    next.push(n);
  }
  if (base.length === 0) throw new UsageError(`--vocab-map ${path}: no token pairs`, "--vocab-map");
  const position = new Int32Array(Math.max(...base) + 1).fill(-1);
  base.forEach((id, j) => {
    position[id] = j;
  });
  return { base: Int32Array.from(base), next: Int32Array.from(next), position };
}

/** The summary line, with the record contract's snake_case names. */
function summaryRecord(s: ComparisonSummary): { summary: Record<string, unknown> } {
  const summary: Record<string, unknown> = {
    rows: s.rows,
    kl: distribution(s.kl),
    top1_same: s.top1Same,
  };
  if (s.targets !== undefined) {
    const t = s.targets;
    summary.targets = {
      scored: t.scored,
      ppl_base: t.pplBase,
      ppl_new: t.pplNew,
      ppl_ratio: t.pplRatio,
      ln_ppl_ratio_se: t.lnPplRatioSe,
      dp: { ...distribution(t.dp), rms: t.dp.rms },
    };
  }
  return { summary };
}

function distribution(d: Distribution): Record<string, number> {
  return {
    mean: d.mean,
    se: d.se,
    min: d.min,
    p0_1: d.p0_1,
    p1: d.p1,
    p5: d.p5,
    p10: d.p10,
    median: d.median,
    p90: d.p90,
    p95: d.p95,
    p99: d.p99,
    p99_9: d.p99_9,
    max: d.max,
  };
}
