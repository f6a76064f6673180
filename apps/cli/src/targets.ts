import { UsageError } from "./errors.js";

/**
 * `--targets FILE` beside the rows: the pool asks for the targets of each batch synchronously
 * (`RunOptions.targets(firstRow, rows)`), so the targets of a chunk are read (asynchronously) before
 * the chunk is handed to the pool, and taken when the pool starts it. Memory holds the targets of the
 * chunks in flight only.
 */
export interface Targets {
  /** Reads the targets of rows `firstRow … firstRow + rows − 1`; call in input order. */
  prepare(firstRow: number, rows: number): Promise<void>;
  /** The prepared targets of a chunk (−1 past the end of the file), handed over once. */
  take: (firstRow: number, rows: number) => Int32Array | undefined;
  close(): Promise<void>;
}

/** Builds {@link Targets} over a source of target ids in file order (chunks of any size). */
export function targetsFrom(source: AsyncIterable<Int32Array>, onClose: () => Promise<void>): Targets {
  const it = source[Symbol.asyncIterator]();
  const ready = new Map<number, Int32Array>();
  let pending: Int32Array = new Int32Array(0);
  let ended = false;
  return {
    async prepare(firstRow, rows) {
      const out = new Int32Array(rows).fill(-1);
      let filled = 0;
      while (filled < rows) {
        if (pending.length === 0) {
          if (ended) break;
          const next = await it.next();
          if (next.done) {
            ended = true;
            break;
          }
          pending = next.value;
          continue;
        }
        const n = Math.min(rows - filled, pending.length);
        out.set(pending.subarray(0, n), filled);
        pending = pending.subarray(n);
        filled += n;
      }
      ready.set(firstRow, out);
    },
    take(firstRow) {
      const t = ready.get(firstRow);
      ready.delete(firstRow);
      return t;
    },
    async close() {
      await it.return?.();
      await onClose();
    },
  };
}

/**
 * Opens `--targets FILE`. Parsing the file (whitespace-separated integers) belongs in
 * @logitstream/wire, which has no targets reader yet, so the flag reports that instead of guessing.
 */
export async function openTargets(_path: string): Promise<Targets> {
  throw new UsageError(
    '--targets is not available yet: @logitstream/wire has no targets-file reader; give targets in the frames ("target") instead',
    "--targets",
  );
}
