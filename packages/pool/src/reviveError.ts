import * as core from "@logitstream/core";
import { WireError } from "@logitstream/wire/decode";
import type { SerializedError } from "./protocol.js";

type ErrorClass = abstract new (...args: never[]) => Error;

// Error classes a worker may report, by name: every class the core exports (data errors of the
// kernels) and wire's WireError (decoding and encoding).
const registry = new Map<string, ErrorClass>();
for (const value of Object.values(core)) {
  if (typeof value === "function" && value.prototype instanceof Error) {
    registry.set(value.name, value as unknown as ErrorClass);
  }
}
registry.set("LogitstreamError", core.LogitstreamError);
registry.set("WireError", WireError);

/**
 * Rebuilds an error reported by a worker as an instance of its original class (`instanceof` works,
 * `row`, `index`, `code`… are restored), without running its constructor. An unknown class becomes a
 * `LogitstreamError` carrying the original name and fields.
 */
export function reviveError(e: SerializedError): core.LogitstreamError {
  const cls = registry.get(e.name) ?? core.LogitstreamError;
  const error = Object.create(cls.prototype) as core.LogitstreamError & Record<string, unknown>;
  Object.defineProperty(error, "message", { value: e.message, writable: true, configurable: true });
  if (e.stack !== undefined) {
    Object.defineProperty(error, "stack", { value: e.stack, writable: true, configurable: true });
  }
  Object.assign(error, e.props);
  error.name = e.name;
  if (e.code !== undefined) (error as Record<string, unknown>).code = e.code;
  return error;
}
