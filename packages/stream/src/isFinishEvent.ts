import type { FinishEvent } from "./types.js";

/**
 * Whether an event is the `FinishEvent` that ends a generation (it has a `finishReason` and no `token`).
 *
 * @param event any event of a generation pipeline
 * @example
 * generate(model, ids, params).subscribe((e) => (isFinishEvent(e) ? console.log(e.finishReason) : use(e.token)));
 */
export function isFinishEvent(event: object): event is FinishEvent {
  return (event as { finishReason?: unknown }).finishReason !== undefined && !("token" in event);
}
