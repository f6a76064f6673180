import { createRequire } from "node:module";
import type cliProgress from "cli-progress";

/**
 * cli-progress is loaded when a bar is first drawn, not at start-up: it is two dozen modules, and
 * most runs (every pipe, every run whose stderr is not a terminal) never draw one.
 */
function loadCliProgress(): typeof cliProgress {
  return createRequire(import.meta.url)("cli-progress") as typeof cliProgress;
}

/** Progress of a long job, on stderr. A no-op unless stderr is a terminal: never on stdout, never in a pipe. */
export interface Progress {
  /** `rows` more rows are done; `bytes` is the input offset reached, when known. */
  update(rows: number, bytes?: number): void;
  stop(): void;
}

const NO_PROGRESS: Progress = { update() {}, stop() {} };

/** Widest bar drawn; the numbers always come first and the bar takes what is left of the line. */
const MAX_BAR = 30;
/** A bar narrower than this is left out: on a narrow terminal the numbers matter more. */
const MIN_BAR = 8;

/**
 * A progress line with rows and rows/s. With a known input size (a regular file) it also shows the
 * percentage of bytes read, the estimated time left and a bar; from stdin the row count only. The line
 * is fitted to the terminal's width (read at every redraw): the numbers are kept whole, the bar gets
 * the room that is left and is dropped below MIN_BAR columns.
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
  const format = (): string => {
    const s = (Date.now() - started) / 1000;
    const speed = s > 0 ? Math.round(rows / s).toLocaleString("en-US") : "…";
    const count = `${rows.toLocaleString("en-US")} rows ${speed} rows/s`;
    // A pseudo-terminal may report 0 columns: then assume 80.
    const width = Math.max(20, (stderr.columns || 80) - 1);
    if (total === undefined || total <= 0) return count.slice(0, width);
    const fraction = Math.min(1, bytes / total);
    const eta =
      fraction > 0 && fraction < 1
        ? formatSeconds((s * (1 - fraction)) / fraction)
        : fraction >= 1
          ? "0s"
          : "…";
    const numbers = `${Math.floor(fraction * 100)}% ${count} ETA ${eta}`;
    const room = Math.min(MAX_BAR, width - numbers.length - 1);
    if (room < MIN_BAR) return numbers.slice(0, width);
    const done = Math.round(fraction * room);
    return `${"█".repeat(done)}${"░".repeat(room - done)} ${numbers}`;
  };
  return {
    update(n, at) {
      rows += n;
      if (at !== undefined) bytes = at;
      if (bar === undefined) {
        // Shown from the first batch written on; cleared when the job ends.
        bar = new (loadCliProgress().SingleBar)({
          stream: stderr,
          format,
          hideCursor: true,
          clearOnComplete: true,
          fps: 5,
          linewrap: false,
        });
        bar.start(1, 0);
        return;
      }
      bar.update(0);
    },
    stop() {
      bar?.stop();
    },
  };
}

/** `75` → `1m15s`; `3725` → `1h02m`. */
function formatSeconds(sec: number): string {
  const s = Math.round(sec);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
