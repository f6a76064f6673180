import cliProgress from "cli-progress";

/** Progress of a distributed job on stderr: rows written, rows/s and live workers. A no-op unless stderr is a terminal. */
interface QueueProgress {
  update(rows: number): void;
  stop(): void;
}

/**
 * A cli-progress line `{rows} rows | {speed} rows/s | {workers} workers`; the worker count is asked
 * of the queue every 2 s (never in the output path).
 */
export function createQueueProgress(
  stderr: NodeJS.WriteStream,
  opts: { enabled: boolean; liveWorkers: () => Promise<number> },
): QueueProgress {
  if (!opts.enabled || !stderr.isTTY) return { update() {}, stop() {} };
  const started = Date.now();
  let rows = 0;
  let workers = "…";
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr,
      format: "{rows} rows | {speed} rows/s | {workers} workers",
      hideCursor: true,
      clearOnComplete: true,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = () => {
    const s = (Date.now() - started) / 1000;
    return { rows, speed: s > 0 ? Math.round(rows / s).toLocaleString("en-US") : "…", workers };
  };
  bar.start(1, 0, payload());
  const ask = (): void => {
    opts.liveWorkers().then(
      (n) => {
        workers = String(n);
        bar.update(0, payload());
      },
      () => {},
    );
  };
  ask();
  const poll = setInterval(ask, 2000);
  poll.unref();
  return {
    update(n) {
      rows += n;
      bar.update(0, payload());
    },
    stop() {
      clearInterval(poll);
      bar.stop();
    },
  };
}
