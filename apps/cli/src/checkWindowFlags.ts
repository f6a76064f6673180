import { UsageError } from "./errors.js";

/**
 * `--stride S` may not exceed `--context N` (rows between windows would be skipped). Checked from argv,
 * before `score --text` or `logits` loads its job and the model; a stride larger than the model's own
 * window (when --context is not given) can only be found after the model is open.
 * @throws UsageError naming --stride (exit 2)
 */
export function checkWindowFlags(opts: { context: number | undefined; stride: number | undefined }): void {
  if (opts.stride !== undefined && opts.context !== undefined && opts.stride > opts.context)
    throw new UsageError(
      `--stride ${opts.stride} is larger than --context ${opts.context}: rows would be skipped`,
      "--stride",
    );
}
