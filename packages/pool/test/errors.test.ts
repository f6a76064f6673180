import { AbortedError, InvalidLogitsError, LogitstreamError } from "@logitstream/core";
import { WireError } from "@logitstream/wire";
import { describe, expect, it } from "vitest";
import { jobAborted, PoolClosedError, PoolError, WorkerCrashError } from "../src/errors.js";
import * as pool from "../src/index.js";
import { reviveError } from "../src/reviveError.js";
import { serializeError } from "../src/serializeError.js";

describe("pool errors", () => {
  it("names the failed rows, the fault and the attempts in a WorkerCrashError", () => {
    const e = new WorkerCrashError(200, 50, 2, "out-of-memory", new Error("worker ran out of memory"));
    expect(e).toBeInstanceOf(PoolError);
    expect(e).toBeInstanceOf(LogitstreamError);
    expect(e.name).toBe("WorkerCrashError");
    expect(e.code).toBe("E_WORKER_CRASH");
    expect([e.firstRow, e.lastRow, e.rows, e.attempts, e.fault]).toEqual([200, 249, 50, 2, "out-of-memory"]);
    expect(e.message).toContain("rows 200–249");
    expect(e.message).toContain("ran out of memory on each of 2 attempts");
    expect((e.cause as Error).message).toBe("worker ran out of memory");
  });

  it("aborts with core's AbortedError, the one abort class of every package, keeping the signal's reason", () => {
    expect(pool.AbortedError).toBe(AbortedError);
    const e = jobAborted("SIGINT");
    expect(e).toBeInstanceOf(AbortedError);
    expect(e).toBeInstanceOf(LogitstreamError);
    expect(e.name).toBe("AbortedError");
    expect(e.code).toBe("E_ABORTED");
    expect(e.cause).toBe("SIGINT");
    expect(e.message).toContain("the job was aborted");
    // Sent from a worker, it comes back as the same class (core exports it, so the registry knows it).
    const revived = reviveError(structuredClone(serializeError(e)));
    expect(revived).toBeInstanceOf(AbortedError);
    expect(revived.code).toBe("E_ABORTED");
    expect(new PoolClosedError("destroyed").code).toBe("E_POOL_DESTROYED");
    expect(new PoolClosedError("closed").code).toBe("E_POOL_CLOSED");
  });

  it("revives an error sent from a worker as its own class with its fields", () => {
    const core = reviveError(structuredClone(serializeError(new InvalidLogitsError(42, 7, "NaN logit"))));
    expect(core).toBeInstanceOf(InvalidLogitsError);
    expect(core).toMatchObject({ row: 42, index: 7, code: "E_INVALID_LOGITS", name: "InvalidLogitsError" });
    expect(core.message).toContain("row 42, index 7");
    const wire = reviveError(
      structuredClone(
        serializeError(new WireError("E_WIRE_SYNTAX", "bad JSON", { frame: 3, byteOffset: 99 })),
      ),
    );
    expect(wire).toBeInstanceOf(WireError);
    expect(wire).toMatchObject({ frame: 3, byteOffset: 99, code: "E_WIRE_SYNTAX" });
  });

  it("revives an unknown error class as a LogitstreamError that keeps its name and message", () => {
    const e = new RangeError("odd");
    const revived = reviveError(serializeError(e));
    expect(revived).toBeInstanceOf(LogitstreamError);
    expect(revived.name).toBe("RangeError");
    expect(revived.message).toBe("odd");
  });
});
