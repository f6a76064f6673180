import { Readable } from "node:stream";
import { WireError } from "@logitstream/wire";
import { lastValueFrom, take, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { fromReadable, fromReadableBatches } from "../src/adapters/fromReadable.js";
import { sampleTokens } from "../src/operators/sampleTokens.js";

const utf8 = (s: string) => Buffer.from(s, "utf8");

describe("fromReadable", () => {
  it("reads NDJSON rows from a byte stream split at arbitrary points", async () => {
    const text = '[0,1,2]\n{"logits":[3,0,0],"id":"x","target":0}\n[0,0,5]\n';
    const chunks = [text.slice(0, 5), text.slice(5, 23), text.slice(23)].map(utf8);
    const rows = await lastValueFrom(
      fromReadable(Readable.from(chunks), { format: "ndjson" }).pipe(toArray()),
    );
    expect(rows.map((r) => r.row)).toEqual([0, 1, 2]);
    expect(Array.from(rows[1]!.logits)).toEqual([3, 0, 0]);
    expect(rows[1]!.id).toBe("x");
    expect(rows[1]!.target).toBe(0);
  });

  it("feeds sampleTokens directly, greedy picking each row's largest logit", async () => {
    const input = Readable.from([utf8("[0,1,2]\n[9,0,0]\n[0,7,0]\n")]);
    const events = await lastValueFrom(
      fromReadable(input, { format: "ndjson" }).pipe(sampleTokens({ temperature: 0 }), toArray()),
    );
    expect(events.map((e) => e.token)).toEqual([2, 0, 1]);
  });

  it("reads batches with fromReadableBatches", async () => {
    const input = Readable.from([utf8("[0,1]\n[1,0]\n[2,2]\n")]);
    const batches = await lastValueFrom(
      fromReadableBatches(input, { format: "ndjson", maxBatchRows: 2 }).pipe(toArray()),
    );
    expect(batches.map((b) => [b.firstRow, b.rows])).toEqual([
      [0, 2],
      [2, 1],
    ]);
  });

  it("errors with wire's typed error after the rows before a malformed line", async () => {
    const seen: number[] = [];
    const err = await new Promise<unknown>((resolve) =>
      fromReadable(Readable.from([utf8("[0,1]\n[1,oops]\n[2,2]\n")]), { format: "ndjson" }).subscribe({
        next: (r) => seen.push(r.row),
        error: resolve,
        complete: () => resolve(undefined),
      }),
    );
    expect(seen).toEqual([0]);
    expect(err).toBeInstanceOf(WireError);
  });

  it("stops reading and destroys the stream when unsubscribed", async () => {
    let produced = 0;
    const input = new Readable({
      read() {
        produced++;
        this.push(utf8("[0,1,2]\n"));
      },
    });
    const rows = await lastValueFrom(fromReadable(input, { format: "ndjson" }).pipe(take(3), toArray()));
    expect(rows.length).toBe(3);
    await new Promise<void>((r) => setImmediate(r));
    expect(input.destroyed).toBe(true);
    const after = produced;
    await new Promise<void>((r) => setImmediate(r));
    expect(produced).toBe(after);
  });
});
