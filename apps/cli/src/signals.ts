import { StoppedError } from "./errors.js";
import { ExitCode } from "./exitCodes.js";

/**
 * Turns the first SIGINT/SIGTERM into an abort of the run (the run stops reading, stops the workers,
 * writes the records that are complete and exits 130/143). A second signal exits at once.
 */
export function abortOnSignals(controller: AbortController): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    const handler = (): void => {
      if (controller.signal.aborted) {
        process.exit(sig === "SIGINT" ? ExitCode.sigint : ExitCode.sigterm);
      }
      controller.abort(new StoppedError(sig));
    };
    handlers.set(sig, handler);
    process.on(sig, handler);
  }
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}
