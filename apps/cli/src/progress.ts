import cliProgress from "cli-progress";

/** Progress of a long job, on stderr. A no-op unless stderr is a terminal: never on stdout, never in a pipe. */
export interface Progress {
  /** `rows` more rows are done; `bytes` is the input offset reached, when known. */
  update(rows: number, bytes?: number): void;
  stop(): void;
}

const NO_PROGRESS: Progress = { update() {}, stop() {} };

/**
 * A cli-progress bar with rows and rows/s. With a known input size (a regular file) the bar shows
 * the fraction of bytes read; from stdin it shows the row count only.
 */
export function createProgress(
  stderr: NodeJS.WriteStream,
  opts: { totalBytes: number | undefined; enabled: boolean },
): Progress {
  if (!opts.enabled || !stderr.isTTY) return NO_PROGRESS;
  const started = Date.now();
  const total = opts.totalBytes;
  let rows = 0;
  let bytes = 0;
  let bar: cliProgress.SingleBar | undefined;
  const payload = (): { rows: number; speed: string } => {
    const s = (Date.now() - started) / 1000;
    return { rows, speed: s > 0 ? Math.round(rows / s).toLocaleString("en-US") : "…" };
  };
  return {
    update(n, at) {
      rows += n;
      if (at !== undefined) bytes = at;
      if (bar === undefined) {
        // Shown from the first batch written on; cleared when the job ends.
        const format =
          total === undefined
            ? "{rows} rows | {speed} rows/s"
            : "{bar} {percentage}% | {rows} rows | {speed} rows/s";
        bar = new cliProgress.SingleBar(
          { stream: stderr, format, hideCursor: true, clearOnComplete: true, fps: 5, etaBuffer: 50 },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total ?? 1, total === undefined ? 0 : bytes, payload());
        return;
      }
      bar.update(total === undefined ? 0 : bytes, payload());
    },
    stop() {
      bar?.stop();
    },
  };
}
