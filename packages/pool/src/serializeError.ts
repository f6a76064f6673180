import type { SerializedError } from "./protocol.js";

/**
 * Flattens an error for postMessage. Structured clone keeps only `message` and `stack` of a custom
 * error class, so the class name and own fields (row, index, frame, byteOffset, code, …) travel as
 * plain data and `reviveError` rebuilds the instance on the host.
 */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) {
    return { name: "Error", message: String(error), props: {} };
  }
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (key === "cause") continue;
    if (value === null || ["string", "number", "boolean", "undefined"].includes(typeof value))
      props[key] = value;
  }
  const out: SerializedError = { name: error.name, message: error.message, props };
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") out.code = code;
  if (error.stack !== undefined) out.stack = error.stack;
  return out;
}
