import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parentPort } from "node:worker_threads";
import { LogitstreamError } from "@logitstream/core";
import type { Kernels } from "./kernels.js";
import { type TaskMessage, type TaskOutput, type TaskReply, WORKER_LOADED } from "./protocol.js";
import { runTask } from "./runTask.js";
import { serializeError } from "./serializeError.js";

/**
 * Piscina moves a reply's buffers only if the reply is marked with piscina's private "movable" symbol,
 * which `Piscina.move` sets. Importing piscina's entry in the worker costs ~25 ms of start-up per worker
 * (bench/overhead.bench.mjs); piscina's own worker bootstrap has already loaded the module that defines
 * the mark (`common.js`, same file, same module cache), so take `markMovable` from there. piscina is
 * pinned exactly (5.3.2); should the file move, fall back to the public `move`.
 */
function loadMarkMovable(): (value: object) => unknown {
  const require = createRequire(import.meta.url);
  try {
    const common = require(join(dirname(require.resolve("piscina")), "common.js")) as {
      markMovable?: (value: object) => void;
    };
    const mark = common.markMovable;
    if (typeof mark === "function") {
      return (value) => {
        mark(value);
        return value;
      };
    }
  } catch {
    // fall through to the public API
  }
  const { move } = require("piscina") as { move: (value: object) => unknown };
  return move;
}
const markMovable = loadMarkMovable();

const kTransferable = Symbol.for("Piscina.transferable");
const kValue = Symbol.for("Piscina.valueOf");

/**
 * A reply whose typed arrays piscina moves (transfers) back instead of cloning. Arrays on shared memory
 * stay shared; a view on part of a buffer someone else may reuse (an encoder's output buffer) is first
 * sliced into a buffer of its own.
 */
class MovedReply {
  readonly [kTransferable]: ArrayBuffer[];
  readonly [kValue]: TaskReply;
  constructor(output: TaskOutput) {
    const list: ArrayBuffer[] = [];
    const o = output as unknown as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      const v = o[key];
      if (!ArrayBuffer.isView(v)) continue;
      if (v.buffer instanceof SharedArrayBuffer) continue;
      let owned = v as ArrayBufferView<ArrayBuffer>;
      if (
        v.byteOffset !== 0 ||
        v.byteLength !== v.buffer.byteLength ||
        list.includes(v.buffer as ArrayBuffer)
      ) {
        owned = (v as unknown as { slice(): ArrayBufferView<ArrayBuffer> }).slice();
        o[key] = owned;
      }
      list.push(owned.buffer);
    }
    this[kTransferable] = list;
    this[kValue] = { ok: true, output };
  }
}

/**
 * The worker's task handler over given kernels. A data error (the core's or wire's typed error for a bad
 * row or frame) is a normal reply — it is deterministic, so the host does not retry it. Any other
 * exception is rethrown: the host treats it as a worker fault and retries the task once.
 */
export function createHandler(kernels: Kernels): (task: TaskMessage) => unknown {
  parentPort?.postMessage(WORKER_LOADED); // the entry and everything it imports have loaded
  return (task) => {
    let output: TaskOutput;
    try {
      output = runTask(task, kernels);
    } catch (e) {
      if (e instanceof LogitstreamError) return { ok: false, error: serializeError(e) } satisfies TaskReply;
      throw e;
    }
    return markMovable(new MovedReply(output));
  };
}
