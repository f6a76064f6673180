import { encodeMsgpack, encodeNdjson, frameChunks, WireError } from "@logitstream/wire";
import { afterAll, describe, expect, it } from "vitest";
import { createPool } from "../src/createPool.js";
import type { Pool, PoolOptions, StreamJob, StreamTotals } from "../src/poolTypes.js";
import { batches, concatBytes } from "./helpers.js";

// One pool per configuration, shared by every run of this file: starting workers is what costs here
// (hundreds of ms each on a loaded machine), not the runs. A pool serves any number of runs, and each
// run's output depends only on its input and job, so sharing changes nothing that is asserted.
const shared = new Map<PoolOptions, Pool>();
const own: Pool[] = [];
function pool(opts: PoolOptions, fresh = false): Pool {
  if (fresh) {
    const p = createPool(opts);
    own.push(p);
    return p;
  }
  let p = shared.get(opts);
  if (p === undefined) {
    p = createPool(opts);
    shared.set(opts, p);
  }
  return p;
}
afterAll(async () => {
  await Promise.all([...shared.values(), ...own].map((p) => p.destroy()));
});

const V = 300;
const ROWS = 240;
const [all] = [...batches(ROWS, ROWS, V)];
const ndjson = encodeNdjson({ ...all!, ids: Array.from({ length: ROWS }, (_, i) => `r${i}`) });
const msgpack = encodeMsgpack(all!, { dtype: "f32" });
const decoder = new TextDecoder();

async function output(
  bytes: Uint8Array,
  opts: PoolOptions,
  job: StreamJob,
  maxBatchRows: number,
  fresh = false,
) {
  const parts: Uint8Array[] = [];
  let totals: StreamTotals | undefined;
  const p = pool(opts, fresh);
  for await (const r of p.run(frameChunks([bytes], { maxBatchRows }), job)) {
    parts.push(r.bytes!);
    totals = r.totals;
  }
  return { text: decoder.decode(concatBytes(parts)), totals: totals!, stats: p.stats() };
}

const configs: [string, PoolOptions][] = [
  ["1 thread", { threads: 1, inlineThreshold: 0 }],
  ["2 threads", { threads: 2, inlineThreshold: 0 }],
  ["2 threads, parsing on the calling thread", { threads: 2, inlineThreshold: 0, parse: "main" }],
  ["inline", { threads: 2, inlineThreshold: Number.POSITIVE_INFINITY }],
];

describe("run over wire byte chunks (frameChunks → workers decode, compute, encode)", () => {
  for (const [format, bytes] of [
    ["NDJSON", ndjson],
    ["msgpack", msgpack],
  ] as const) {
    it(`samples ${format} input to byte-identical records for every thread count, parse site and batch size`, async () => {
      const job: StreamJob = {
        kind: "sample",
        params: { temperature: 0.9, topP: 0.95, seed: 5 },
        logprobs: 2,
        output: "ndjson",
      };
      const reference = await output(bytes, configs[0]![1], job, 64);
      const lines = reference.text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => l.row)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
      expect(lines[0].top_logprobs).toHaveLength(2);
      if (format === "NDJSON") expect(lines[7].id).toBe("r7");
      for (const [, opts] of configs) {
        for (const maxBatchRows of [1, 17, 240]) {
          expect((await output(bytes, opts, job, maxBatchRows)).text).toBe(reference.text);
        }
      }
    });
  }

  it("gives the same bytes when the first chunks run inline and the rest in the workers", async () => {
    const job: StreamJob = { kind: "sample", params: { topK: 20, seed: 9 }, output: "ndjson" };
    const reference = await output(msgpack, configs[0]![1], job, 40);
    // 40-row chunks of V = 300 are 12,000 elements: two fit in the 30,000-element inline budget, the
    // third starts the workers.
    const mixed = await output(msgpack, { threads: 2, inlineThreshold: 30_000 }, job, 40, true);
    expect(mixed.stats.inlineTasks).toBe(2);
    expect(mixed.stats.tasks).toBe(6);
    expect(mixed.stats.started).toBe(true);
    expect(mixed.text).toBe(reference.text);
  });

  it("scores with targets from the frames and the same summary totals for any split", async () => {
    const job: StreamJob = { kind: "score", output: "ndjson" };
    const reference = await output(ndjson, configs[0]![1], job, 64);
    const lines = reference.text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ row: 0, target: 0 });
    expect(lines[2]).toHaveProperty("entropy"); // rows 2, 5, 8, … have no target
    expect(reference.totals.scored).toBe(ROWS - ROWS / 3);
    for (const [, opts] of configs) {
      for (const maxBatchRows of [1, 50]) {
        const got = await output(ndjson, opts, job, maxBatchRows);
        expect(got.text).toBe(reference.text);
        expect(got.totals).toEqual(reference.totals);
      }
    }
  });

  it("writes msgpack records made by wire's encoder in the workers", async () => {
    const job: StreamJob = { kind: "softmax", top: 3, output: "msgpack" };
    const a = await output(msgpack, configs[1]![1], job, 32);
    const b = await output(msgpack, configs[3]![1], job, 240);
    expect(a.text).toBe(b.text);
    expect(a.text.length).toBeGreaterThan(ROWS * 10);
  });

  it("delivers every row before a malformed frame, then fails with wire's error naming the frame", async () => {
    const text = decoder.decode(ndjson).split("\n");
    text[130] = "[1, 2, oops]";
    const bad = new TextEncoder().encode(text.join("\n"));
    for (const [, opts] of configs) {
      const rows: number[] = [];
      let error: unknown;
      try {
        for await (const r of pool(opts).run(frameChunks([bad], { maxBatchRows: 50 }), {
          kind: "score",
          output: "ndjson",
        })) {
          for (const line of decoder.decode(r.bytes).trim().split("\n"))
            if (line) rows.push(JSON.parse(line).row);
        }
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(WireError);
      expect((error as WireError).frame).toBe(130);
      expect(rows).toEqual(Array.from({ length: 130 }, (_, i) => i));
    }
  });

  it("delivers every row before a bad logit row, then fails with the core's error naming it", async () => {
    const b = [...batches(100, 100, V)][0]!;
    b.data[61 * V + 2] = Number.POSITIVE_INFINITY;
    const bytes = encodeMsgpack(b, { dtype: "f32" });
    const rows: number[] = [];
    let error: { row?: number; name?: string } | undefined;
    try {
      for await (const r of pool({ threads: 2, inlineThreshold: 0 }).run(
        frameChunks([bytes], { maxBatchRows: 25 }),
        {
          kind: "sample",
          output: "ndjson",
        },
      )) {
        for (const line of decoder.decode(r.bytes).trim().split("\n"))
          if (line) rows.push(JSON.parse(line).row);
      }
    } catch (e) {
      error = e as never;
    }
    expect(error?.name).toBe("InvalidLogitsError");
    expect(error?.row).toBe(61);
    expect(rows).toEqual(Array.from({ length: 61 }, (_, i) => i));
  });
});

describe("run over chunks cut into the pool's memory (frameChunks alloc: pool.allocBytes)", () => {
  const f32 = new Uint8Array(all!.data.buffer, all!.data.byteOffset, all!.data.byteLength);
  for (const [format, bytes, read] of [
    ["NDJSON", ndjson, {}],
    ["msgpack", msgpack, {}],
    ["f32", f32, { format: "f32", vocab: V }],
  ] as const) {
    it(`gives byte-identical ${format} records to staged chunks, for every config, and recycles slabs`, async () => {
      const job: StreamJob = { kind: "sample", params: { temperature: 0.9, seed: 5 }, output: "ndjson" };
      const staged: Uint8Array[] = [];
      for await (const r of pool(configs[0]![1]).run(
        frameChunks([bytes], { ...read, maxBatchRows: 64 }),
        job,
      ))
        staged.push(r.bytes!);
      const reference = { text: decoder.decode(concatBytes(staged)) };
      expect(reference.text.split("\n").length).toBe(ROWS + 1);
      for (const [, opts] of configs) {
        const p = pool(opts, true);
        const parts: Uint8Array[] = [];
        // Pieces of 1 KiB: the framer copies reads into the pool's slabs.
        const pieces = Array.from({ length: Math.ceil(bytes.length / 1024) }, (_, i) =>
          bytes.subarray(i * 1024, (i + 1) * 1024),
        );
        const chunks = frameChunks(pieces, { ...read, maxBatchRows: 16, alloc: p.allocBytes });
        for await (const r of p.run(chunks, job)) parts.push(r.bytes!);
        expect(decoder.decode(concatBytes(parts))).toBe(reference.text);
        expect(p.stats().slabsAllocated).toBeLessThanOrEqual(2 * (2 * 2 + 2) + 2);
      }
    });
  }
});

describe("run over batches written into the pool's memory (rows copied into pool.allocBytes)", () => {
  it("gives byte-identical records to batches on ordinary memory, for every config, and recycles slabs", async () => {
    const job: StreamJob = { kind: "score", top: 3, output: "ndjson" };
    /** Batches of `rows` rows from `all`, each copied into memory from `alloc`. */
    function* written(rows: number, alloc: (n: number) => Uint8Array) {
      for (let first = 0; first < ROWS; first += rows) {
        const n = Math.min(rows, ROWS - first);
        const bytes = alloc(n * V * 4);
        const data = new Float32Array(bytes.buffer, bytes.byteOffset, n * V);
        data.set(all!.data.subarray(first * V, (first + n) * V));
        yield { firstRow: first, rows: n, vocab: V, data };
      }
    }
    const parts: Uint8Array[] = [];
    for await (const r of pool(configs[0]![1]).run(
      written(16, (n) => new Uint8Array(n)),
      job,
    ))
      parts.push(r.bytes!);
    const reference = decoder.decode(concatBytes(parts));
    expect(reference.split("\n").length).toBe(ROWS + 1);
    for (const [, opts] of configs) {
      const p = pool(opts, true);
      const out: Uint8Array[] = [];
      // 15 batches through a window of 2 × threads: a slab comes back only when its batch's task has
      // settled, so one rewritten early would change that batch's records.
      for await (const r of p.run(written(16, p.allocBytes), job)) out.push(r.bytes!);
      expect(decoder.decode(concatBytes(out))).toBe(reference);
      expect(p.stats().slabsAllocated).toBeLessThanOrEqual(2 * 2 + 1);
    }
  });
});
