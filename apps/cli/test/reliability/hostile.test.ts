// Issue 8, part 3: hostile input. The readers themselves are fuzzed in packages/wire/test (readRows over
// random bytes and mutated streams, malformed headers, every truncated prefix); this file covers what the
// CLI actually runs — wire's framer on the main thread, decodeChunkPrefix + the kernels + the record
// encoder in the pool — in process (many cases, fast) and through the built CLI as a child process
// (fewer cases: each is a process), plus named hostile inputs: huge claimed sizes, deep nesting,
// enormous rows, prototype keys and msgpack extension types.
//
// What every case must end in: exit 0 with clean records, or exit 65 with one line on stderr that
// names where the input is bad — never another exit code, a stack trace, a hang (time bound), a
// prototype change, or peak memory over 400 MB.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createPool, type StreamJob } from "@logitstream/pool";
import { decodeChunkPrefix, frameChunks, type ReadOptions } from "@logitstream/wire";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  bytesOf,
  checkRecords,
  FAULT_PRELOAD,
  hasStackTrace,
  makeRows,
  msgpackBatches,
  ndjsonRows,
  npyFile,
  type RunResult,
  removeDir,
  runCli,
  safetensorsFile,
  sized,
  tempDir,
} from "./helpers.js";

// Case counts and sizes: full under `pnpm test:full` (LOGITSTREAM_FULL_TESTS=1), reduced under `pnpm test`.
const RANDOM_IN_PROCESS = sized(1500, 300);
const MUTATED_IN_PROCESS = sized(3000, 600);
// Each CLI case is a process (~0.35 s of CPU to start), so the fast tier runs few; the in-process
// cases above cover the same decode path in bulk.
const RANDOM_CLI = sized(60, 4);
const MUTATED_CLI = sized(100, 6);
const TARGETS_CLI = sized(40, 3);
/** Logits in the over-long line (beyond the 2^24 vocabulary limit either way): 200 MB full, 40 MB reduced. */
const LONG_LINE_LOGITS = sized(100_000_000, 20_000_000);
/** Bytes of each huge targets file (read in 64 KiB pieces either way: the reduced one is 61 of them). */
const HUGE_TARGETS_BYTES = sized(100_000_000, 4_000_000);
/** Logits in the one enormous valid row: 8,000,000 (a 16 MB line) full, 2,000,000 (a 4 MB line, still many pipe reads) reduced. */
const ENORMOUS_ROW_LOGITS = sized(8_000_000, 2_000_000);

const MEMORY_LIMIT_KB = 400 * 1000;
const CASE_TIMEOUT_MS = 30_000;

// ---------- inputs ----------

const V = 4;
const data = makeRows(6, V, 99);
const targets = Int32Array.from([0, 1, 2, 3, 2, 1]);
const ndjsonObjects = [
  `{"logits":${JSON.stringify(Array.from(data.subarray(0, 4)))},"target":1,"id":"a"}\n`,
  `{"logits":${JSON.stringify(Array.from(data.subarray(4, 8)))},"id":{"__proto__":{"x":1},"k":[1,{"constructor":{"prototype":{"y":2}}}]}}\n`,
  `{"logits":${JSON.stringify(Array.from(data.subarray(8, 12)))},"__proto__":{"target":3},"target":0}\n`,
  `{"logits":${JSON.stringify(Array.from(data.subarray(12, 16)))},"params":{"temperature":0.5,"seed":3}}\n`,
  `{"logits":${JSON.stringify(Array.from(data.subarray(16, 20)))},"constructor":{"prototype":{"target":1}}}\n`,
  `{"logits":${JSON.stringify(Array.from(data.subarray(20, 24)))},"id":null,"target":null}\n`,
].join("");

/** Valid streams of every format, with the CLI flags that read them. */
const VALID: readonly (readonly [string, Uint8Array, readonly string[]])[] = [
  ["ndjson arrays", Buffer.from(ndjsonRows(data, V)), []],
  ["ndjson objects", Buffer.from(ndjsonObjects), ["--format", "ndjson"]],
  ["ndjson with targets", Buffer.from(ndjsonRows(data, V, targets)), []],
  ["msgpack rows", msgpackBatches(data, V, 1, targets), ["--format", "msgpack"]],
  ["msgpack batches", msgpackBatches(data, V, 4, targets), []],
  ["npy", npyFile(data, V), ["--format", "npy"]],
  ["safetensors", safetensorsFile(data, V), []],
  ["raw f32", bytesOf(data), ["--format", "f32", "--vocab", String(V)]],
];

const FORMAT_FLAGS: readonly (readonly string[])[] = [
  [],
  ["--format", "ndjson"],
  ["--format", "msgpack"],
  ["--format", "npy"],
  ["--format", "safetensors"],
  ["--format", "f16", "--vocab", "3"],
  ["--format", "bf16", "--vocab", "2"],
];

const COMMANDS: readonly (readonly string[])[] = [
  ["score"],
  ["sample", "--seed", "5", "--top-p", "0.9"],
  ["softmax", "--top", "2"],
  ["score", "--top", "2", "--output", "msgpack"],
];

type Mutation = { kind: "set" | "cut" | "insert" | "flip"; at: number; value: number };
const mutation: fc.Arbitrary<Mutation[]> = fc.array(
  fc.record({
    kind: fc.constantFrom("set", "cut", "insert", "flip"),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  { minLength: 1, maxLength: 4 },
);

function mutate(b: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let out = Uint8Array.from(b);
  for (const m of ms) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === "set" && out.length > 0) out[at] = m.value;
    else if (m.kind === "flip" && out.length > 0) out[at] = out[at]! ^ (1 << (m.value & 7));
    else if (m.kind === "cut") out = out.slice(0, at);
    else if (m.kind === "insert")
      out = Uint8Array.from([...out.subarray(0, at), m.value, ...out.subarray(at)]);
  }
  return out;
}

// ---------- the contract for one run ----------

/** Throws (naming the case) unless the run ended in clean output or a located data error. */
function expectContract(r: RunResult, args: readonly string[], what: string): void {
  const cmd = args[0]!;
  const skip = args.includes("skip");
  const where = `${what}: logitstream ${args.join(" ")} → exit ${r.code} ${JSON.stringify(r.stderr.slice(0, 300))}`;
  expect(r.signal, `${where} (killed: no exit within ${CASE_TIMEOUT_MS} ms)`).toBeNull();
  expect([0, 65], where).toContain(r.code);
  expect(hasStackTrace(r.stderr), where).toBe(false);
  if (r.code === 65) {
    // One line naming the bad input; in skip mode it may follow the count of rows skipped before it
    // (a truncated last frame cannot be skipped).
    const skipped = skip ? `(logitstream ${cmd}: skipped \\d+ bad rows?[^\\n]*\\n)?` : "";
    expect(r.stderr, where).toMatch(new RegExp(`^${skipped}logitstream ${cmd}: [^\\n]+\\n$`));
    expect(r.stderr, where).toMatch(/\b(row|frame|byte offset|line|header|magic|input)\b/);
  } else if (r.stderr !== "") {
    expect(skip, where).toBe(true);
    expect(r.stderr, where).toMatch(new RegExp(`^logitstream ${cmd}: skipped \\d+ bad rows?[^\\n]*\\n$`));
  }
  if (!args.includes("msgpack") || !args.includes("--output")) {
    // Complete records in input order, nothing repeated; a summary only at the end of a whole score run.
    expect(
      () => checkRecords(r.stdout.toString("utf8"), { summary: cmd === "score" && r.code === 0, gaps: skip }),
      where,
    ).not.toThrow();
  }
  expect(r.report, `${where}: no exit report`).toBeDefined();
  expect(r.report!.maxRssKb, `${where}: peak RSS`).toBeLessThan(MEMORY_LIMIT_KB);
  expect(r.report!.addedToObjectPrototype, where).toEqual([]);
  expect(r.report!.addedToArrayPrototype, where).toEqual([]);
}

/** Runs cases `concurrency` at a time (each is a process that mostly waits). */
async function runAll<T>(
  cases: readonly T[],
  concurrency: number,
  run: (c: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < cases.length && failures.length === 0) {
        const i = next++;
        try {
          await run(cases[i]!, i);
        } catch (e) {
          failures.push(e);
        }
      }
    }),
  );
  if (failures.length > 0) throw failures[0];
}

// ---------- in process: the CLI's decode → compute → encode path, many cases ----------

/** Data errors a run may end in: wire's (bad bytes) and the core's bad-row / bad-target errors. */
const DATA_ERROR = /^(E_WIRE_|E_INVALID_LOGITS$|E_INVALID_TARGET$|E_EMPTY_CANDIDATES$)/;

async function pipelineInProcess(bytes: Uint8Array, read: ReadOptions, job: StreamJob): Promise<void> {
  const pool = createPool({ threads: 1, inlineThreshold: Number.POSITIVE_INFINITY });
  let nextRow = 0;
  try {
    for await (const r of pool.run(frameChunks([bytes.subarray(0, 5), bytes.subarray(5)], read), job)) {
      if (r.firstRow < nextRow) throw new Error(`rows ${r.firstRow}… delivered twice`);
      nextRow = r.firstRow + r.rows;
    }
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== "string" || !DATA_ERROR.test(code)) throw e;
  } finally {
    await pool.destroy();
  }
}

const readOptions = (flags: readonly string[], skip: boolean): ReadOptions => {
  const o: ReadOptions = skip ? { onError: "skip" } : {};
  const f = flags.indexOf("--format");
  if (f >= 0) o.format = flags[f + 1] as NonNullable<ReadOptions["format"]>;
  const v = flags.indexOf("--vocab");
  if (v >= 0) o.vocab = Number(flags[v + 1]);
  return o;
};

const JOBS: readonly StreamJob[] = [
  { kind: "score", output: "ndjson" },
  { kind: "sample", params: { seed: 5, topP: 0.9 }, output: "ndjson" },
  { kind: "softmax", top: 2, output: "msgpack" },
];

describe("hostile input, in process: framer → decodeChunkPrefix → kernels → records (the CLI's path)", () => {
  it(`ends every random byte string in records or a typed data error (fixed seed, ${RANDOM_IN_PROCESS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 600 }),
        fc.constantFrom(...FORMAT_FLAGS),
        fc.constantFrom(...JOBS),
        fc.boolean(),
        async (bytes, flags, job, skip) => {
          await pipelineInProcess(bytes, readOptions(flags, skip), {
            ...job,
            onError: skip ? "skip" : "throw",
          });
        },
      ),
      { seed: 8_2026, numRuns: RANDOM_IN_PROCESS },
    );
  });

  it(`ends every mutated valid stream in records or a typed data error (fixed seed, ${MUTATED_IN_PROCESS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...VALID),
        mutation,
        fc.constantFrom(...JOBS),
        fc.boolean(),
        async ([, bytes, flags], ms, job, skip) => {
          await pipelineInProcess(mutate(bytes, ms), readOptions(flags, skip), {
            ...job,
            onError: skip ? "skip" : "throw",
          });
        },
      ),
      { seed: 88, numRuns: MUTATED_IN_PROCESS },
    );
  });

  it("reads every unmutated valid stream completely", async () => {
    for (const [name, bytes, flags] of VALID) {
      let rows = 0;
      for await (const c of frameChunks([bytes], readOptions(flags, false))) {
        const d = decodeChunkPrefix(c);
        expect(d.error, name).toBeUndefined();
        rows += d.batch.rows;
      }
      expect(rows, name).toBe(6);
    }
  });
});

// ---------- through the CLI: fuzz ----------

describe("hostile input through the CLI (child processes, fixed seeds)", () => {
  it(`ends ${RANDOM_CLI} random byte strings in clean output or exit 65 naming where, without a stack trace, in bounded memory`, async () => {
    const cases = fc.sample(
      fc.tuple(
        fc.uint8Array({ maxLength: 1500 }),
        fc.constantFrom(...FORMAT_FLAGS),
        fc.constantFrom(...COMMANDS),
        fc.boolean(),
      ),
      { seed: 2026, numRuns: RANDOM_CLI },
    );
    await runAll(cases, 3, async ([bytes, flags, cmd, skip], i) => {
      const args = [...cmd, ...flags, ...(skip ? ["--on-error", "skip"] : [])];
      const r = await runCli(args, { stdin: bytes, timeoutMs: CASE_TIMEOUT_MS });
      expectContract(r, args, `random case ${i} (${Buffer.from(bytes).toString("base64").slice(0, 120)})`);
    });
  }, 600_000);

  it(`ends ${MUTATED_CLI} mutated valid streams of every format in clean output or exit 65 naming where`, async () => {
    const cases = fc.sample(
      fc.tuple(fc.constantFrom(...VALID), mutation, fc.constantFrom(...COMMANDS), fc.boolean()),
      { seed: 811, numRuns: MUTATED_CLI },
    );
    await runAll(cases, 3, async ([[name, bytes, flags], ms, cmd, skip], i) => {
      const args = [...cmd, ...flags, ...(skip ? ["--on-error", "skip"] : [])];
      const input = mutate(bytes, ms);
      const r = await runCli(args, { stdin: input, timeoutMs: CASE_TIMEOUT_MS });
      expectContract(r, args, `mutated case ${i} of ${name} (${JSON.stringify(ms)})`);
    });
  }, 600_000);
});

// ---------- through the CLI: named hostile inputs ----------

function u32be(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}
const str = (s: string): number[] => [0xa0 | s.length, ...Buffer.from(s, "latin1")];
const logitsBin = [...str("logits"), 0xc4, 16, ...bytesOf(Float32Array.from([0, 1, 2, 3]))];

function npyWithHeader(header: string, major = 1, claimedLength?: number): Uint8Array {
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const len = Buffer.alloc(major === 1 ? 2 : 4);
  if (major === 1) len.writeUInt16LE(claimedLength ?? header.length);
  else len.writeUInt32LE(claimedLength ?? header.length);
  return Buffer.concat([pre, len, Buffer.from(header, "latin1"), Buffer.alloc(64)]);
}

function safetensorsWith(headerLength: bigint, json: string, tail = 64): Uint8Array {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(headerLength);
  return Buffer.concat([len, Buffer.from(json, "latin1"), Buffer.alloc(tail)]);
}

const HUGE_CLAIMS: readonly (readonly [string, Uint8Array, readonly string[]])[] = [
  [
    "a .npy shape of 2^40 × 2^20 float32",
    npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1048576), }\n"),
    [],
  ],
  [
    "a .npy shape of 2^40 rows × 4",
    npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 4), }     \n"),
    [],
  ],
  ["a .npy v2 header length of 4 GiB − 1", npyWithHeader("{}", 2, 0xffffffff), []],
  ["a .npy v1 header length of 65535 on a 100-byte file", npyWithHeader("{'descr'", 1, 65535), []],
  ["a safetensors header length of 2^40", safetensorsWith(2n ** 40n, "{}"), ["--format", "safetensors"]],
  [
    "a safetensors header length of 2^64 − 1",
    safetensorsWith(2n ** 64n - 1n, "{}"),
    ["--format", "safetensors"],
  ],
  [
    "a safetensors header claiming 90 MB on a tiny input",
    safetensorsWith(90_000_000n, '{"x":'),
    ["--format", "safetensors"],
  ],
  [
    "a safetensors tensor of 2^40 × 2^20 elements",
    (() => {
      let j = JSON.stringify({ t: { dtype: "F32", shape: [2 ** 40, 2 ** 20], data_offsets: [0, 2 ** 62] } });
      j += " ".repeat((8 - (j.length % 8)) % 8);
      return safetensorsWith(BigInt(j.length), j);
    })(),
    [],
  ],
  [
    "a msgpack bin of 4 GiB − 1",
    Uint8Array.from([0x81, ...str("logits"), 0xc6, ...u32be(0xffffffff), 1, 2, 3]),
    ["--format", "msgpack"],
  ],
  [
    "a msgpack array of 2^32 − 1 elements",
    Uint8Array.from([0x81, ...str("logits"), 0xdd, ...u32be(0xffffffff), 0, 0]),
    ["--format", "msgpack"],
  ],
  [
    "a msgpack map of 2^32 − 1 entries",
    Uint8Array.from([0xdf, ...u32be(0xffffffff), ...logitsBin]),
    ["--format", "msgpack"],
  ],
  [
    "a msgpack str of 4 GiB − 1",
    Uint8Array.from([0x82, ...logitsBin, 0xdb, ...u32be(0xffffffff), 0x61]),
    ["--format", "msgpack"],
  ],
  [
    "a msgpack batch frame claiming 2^31 rows",
    Uint8Array.from([0x82, ...str("rows"), 0xce, ...u32be(0x80000000), ...logitsBin]),
    ["--format", "msgpack"],
  ],
];

describe("huge sizes claimed in headers", () => {
  it.each(HUGE_CLAIMS)(
    "rejects %s with exit 65 at once, allocating nothing it claims",
    async (_name, bytes, flags) => {
      const args = ["score", ...flags];
      const r = await runCli(args, { stdin: bytes, timeoutMs: CASE_TIMEOUT_MS });
      expectContract(r, args, _name);
      expect(r.code).toBe(65);
      expect(r.stderr).toMatch(/byte offset \d+/);
      expect(r.report!.maxRssKb).toBeLessThan(200 * 1000); // nothing near the claim was allocated
    },
  );
});

/** `{"logits":[…],"id":<value>}` lines around a hostile one. */
function around(hostile: string, before = 0): string {
  const good = (i: number) => `{"logits":[${i},1,2,3],"id":${i}}\n`;
  let s = "";
  for (let i = 0; i < before; i++) s += good(i);
  return `${s}${hostile}\n${good(before + 1)}`;
}

describe("deeply nested and enormous JSON", () => {
  const deepArray = (d: number) => `${"[".repeat(d)}${"]".repeat(d)}`;
  const deepObject = (d: number) => `${'{"a":'.repeat(d)}1${"}".repeat(d)}`;

  it.each([0, 3])(
    "rejects a row nested 100,000 arrays deep with exit 65 naming its row (after %i good rows)",
    async (before) => {
      const r = await runCli(["score"], {
        stdin: around(deepArray(100_000), before),
        timeoutMs: CASE_TIMEOUT_MS,
      });
      expectContract(r, ["score"], "deep logits");
      expect(r.code).toBe(65);
      expect(r.stderr).toContain(`row ${before}`);
      expect(checkRecords(r.stdout.toString()).rows).toBe(before);
    },
  );

  it.each([
    ["100,000 nested arrays", deepArray(100_000)],
    ["5,000 nested objects", deepObject(5000)],
  ])(
    "ends a row whose id is %s in clean output or exit 65 naming the row, not an internal error",
    async (_name, id) => {
      const stdin = around(`{"logits":[0,1,2,3],"id":${id}}`, 2);
      for (const args of [
        ["sample", "--seed", "1"],
        ["score", "--output", "msgpack"],
      ]) {
        const r = await runCli(args, { stdin, timeoutMs: CASE_TIMEOUT_MS });
        expectContract(r, args, `deep id: ${_name}`);
        if (r.code === 65) expect(r.stderr).toContain("row 2");
      }
    },
  );

  it("rejects a msgpack value nested 100,000 arrays deep with exit 65", async () => {
    const bytes = Uint8Array.from([0x82, ...logitsBin, ...str("id"), ...new Array(100_000).fill(0x91), 0x01]);
    const r = await runCli(["sample", "--format", "msgpack"], { stdin: bytes, timeoutMs: CASE_TIMEOUT_MS });
    expectContract(r, ["sample", "--format", "msgpack"], "deep msgpack");
    expect(r.code).toBe(65);
  });

  it(`scores a single row of ${ENORMOUS_ROW_LOGITS.toLocaleString("en")} logits (a ${(2 * ENORMOUS_ROW_LOGITS) / 1e6} MB line) with peak memory under 400 MB`, async () => {
    const n = ENORMOUS_ROW_LOGITS;
    const line = Buffer.alloc(2 * n + 1, "0,");
    line[2 * n - 1] = 0x5d; // "]"
    line[2 * n] = 0x0a;
    const r = await runCli(["score"], { stdin: Buffer.concat([Buffer.from("["), line]), timeoutMs: 120_000 });
    expectContract(r, ["score"], "enormous row");
    expect(r.code).toBe(0);
    const first = JSON.parse(r.stdout.toString().split("\n")[0]!) as { row: number; entropy: number };
    expect(first.row).toBe(0);
    expect(first.entropy).toBeCloseTo(Math.log(n), 9); // uniform over n tokens
  }, 150_000);

  it(`rejects a ${(2 * LONG_LINE_LOGITS) / 1e6} MB line (a row beyond the 2^24 vocabulary limit) with exit 65 and peak memory under 400 MB`, async () => {
    const n = LONG_LINE_LOGITS;
    const line = Buffer.alloc(2 * n + 1, "0,");
    line[2 * n - 1] = 0x5d;
    line[2 * n] = 0x0a;
    const r = await runCli(["score"], { stdin: Buffer.concat([Buffer.from("["), line]), timeoutMs: 120_000 });
    expectContract(r, ["score"], "200 MB line");
    expect(r.code).toBe(65);
    expect(r.stderr).toContain("row 0");
  }, 150_000);
});

describe("prototype keys in NDJSON and msgpack objects", () => {
  // 160,000 rows of 64 logits (≈ 104 MB: the pool runs the first ≈ 66 MB of NDJSON inline, and later
  // chunks of more than ~32 KB in the workers — a fault fired at the last row proves it) with a hostile object every 500 rows:
  // __proto__ / constructor.prototype at the top level (a target and an id through the prototype),
  // and nested in the id. No row without its own "target" may be scored against one; ids come back
  // exactly as given; nothing appears on any prototype. At the reduced size: 1,984 rows (≈ 1.3 MB, 31
  // whole chunks of 64 rows, so the last chunk is a full one and goes to a worker), the first part inline
  // under a budget lowered with --inline-elements to 160,000 (the pool counts NDJSON as bytes / 4: ~1,000
  // rows), the rest in the workers: hostile rows 7 and 507 run inline, 1,007 and 1,507 in the workers
  // (checked by hand with faults at those rows).
  const ROWS = sized(160_000, 1_984);
  const INLINE = sized([], ["--inline-elements", "160000"]);
  const tail = ",1.2345678,2.3456789,3.4567891,4.5678912,5.6789123,6.7891234,7.8912345".repeat(9);
  const lines: string[] = [];
  for (let r = 0; r < ROWS; r++) {
    const logits = `[${(r % 13) - 6}${tail}]`;
    if (r % 500 === 7) {
      lines.push(
        `{"logits":${logits},"__proto__":{"target":1,"id":"polluted","polluted":true},"constructor":{"prototype":{"target":2,"polluted":true}},"id":{"__proto__":{"polluted":true},"r":${r}}}`,
      );
    } else lines.push(logits);
  }
  // A file, not stdin: a pipe's pauses may cut the last chunk short, and a chunk within the pool's warm
  // inline threshold runs on the main thread, where the fault never fires. A file is cut into full chunks.
  const dir = tempDir();
  afterAll(() => removeDir(dir));
  const inputPath = join(dir, "proto.ndjson");
  writeFileSync(inputPath, `${lines.join("\n")}\n`);

  it("never lets __proto__ or constructor keys set a target, an id or a prototype property, in the workers or on the main thread", async () => {
    const r = await runCli(["score", inputPath, "--threads", "2", ...INLINE], {
      timeoutMs: 120_000,
      preload: [FAULT_PRELOAD],
      env: { LOGITSTREAM_TEST_FAULTS: JSON.stringify([{ row: ROWS - 1, kind: "throw", times: 1 }]) },
    });
    expectContract(r, ["score"], "proto keys");
    expect(r.code).toBe(0);
    expect(r.report?.faultCounters, "the last rows ran in a worker").toEqual([-1]);
    const recs = r.stdout
      .toString()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs).toHaveLength(ROWS + 1);
    expect(recs.at(-1)).toEqual({ summary: { rows: 0, mean_nll: null, perplexity: null } });
    for (let i = 0; i < ROWS; i++) {
      const rec = recs[i]!;
      expect(Object.keys(rec).sort(), `row ${i}`).toEqual(
        i % 500 === 7 ? ["entropy", "id", "row"] : ["entropy", "row"],
      );
      if (i % 500 === 7) expect(JSON.stringify(rec.id)).toBe(`{"__proto__":{"polluted":true},"r":${i}}`);
    }
  }, 150_000);

  it("rejects sampler params given through __proto__ as unknown, naming the frame", async () => {
    const stdin = around(`{"logits":[0,1,2,3],"params":{"__proto__":{"temperature":0}}}`, 1);
    const r = await runCli(["sample"], { stdin, timeoutMs: CASE_TIMEOUT_MS });
    expectContract(r, ["sample"], "proto params");
    expect(r.code).toBe(65);
    expect(r.stderr).toContain('unknown sampler param "__proto__"');
    expect(r.stderr).toContain("frame 1");
  });

  it("keeps __proto__ keys of msgpack maps as plain data", async () => {
    const frame = Uint8Array.from([
      0x83,
      ...logitsBin,
      ...str("target"),
      0x02,
      ...str("id"),
      0x81,
      ...str("__proto__"),
      0x81,
      ...str("target"),
      0x01,
    ]);
    const poisoned = Uint8Array.from([0x82, ...logitsBin, ...str("__proto__"), 0x81, ...str("target"), 0x03]);
    const r = await runCli(["score", "--format", "msgpack"], {
      stdin: Buffer.concat([frame, poisoned]),
      timeoutMs: CASE_TIMEOUT_MS,
    });
    expectContract(r, ["score"], "msgpack proto");
    expect(r.code).toBe(0);
    const recs = r.stdout
      .toString()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs[0]).toMatchObject({ row: 0, target: 2, rank: 2 });
    expect(JSON.stringify(recs[0]!.id)).toBe('{"__proto__":{"target":1}}');
    expect(Object.keys(recs[1]!).sort()).toEqual(["entropy", "row"]);
  });
});

describe("hostile --targets files", () => {
  // wire's readTargets behind `score --targets FILE`: the rows are fine (6 rows of V = 4, .npy); the
  // targets file is random bytes, a mutated valid file, one 100 MB token, or 100 MB of blanks.
  const dir = tempDir();
  afterAll(() => removeDir(dir));
  const rows = join(dir, "rows.npy");
  writeFileSync(rows, npyFile(data, V));
  const validTargets = "0 1 2 3\n-1 2\n";

  async function scoreWith(targetsBytes: Uint8Array, what: string): Promise<RunResult> {
    const path = join(dir, `t${Math.random().toString(36).slice(2)}.txt`);
    writeFileSync(path, targetsBytes);
    const args = ["score", rows, "--targets", path];
    const r = await runCli(args, { timeoutMs: CASE_TIMEOUT_MS });
    expectContract(r, args, what);
    return r;
  }

  it(`ends ${TARGETS_CLI} random and mutated targets files in clean output or exit 65 naming the target (fixed seed)`, async () => {
    const cases = fc.sample(
      fc.oneof(
        fc.uint8Array({ maxLength: 200 }),
        mutation.map((ms) => mutate(Buffer.from(validTargets), ms)),
        fc
          .array(fc.oneof(fc.integer({ min: -3, max: 6 }), fc.constantFrom(2 ** 31, -(2 ** 31), 1e21)), {
            maxLength: 9,
          })
          .map((ts) => Buffer.from(ts.join(" "))),
      ),
      { seed: 4040, numRuns: TARGETS_CLI },
    );
    await runAll(cases, 3, async (bytes, i) => {
      await scoreWith(
        bytes,
        `targets case ${i} (${JSON.stringify(Buffer.from(bytes).toString("latin1").slice(0, 80))})`,
      );
    });
  }, 600_000);

  it.each([
    [`one ${HUGE_TARGETS_BYTES / 1e6} MB token`, "1"],
    [`${HUGE_TARGETS_BYTES / 1e6} MB of blanks`, " "],
  ])(
    "rejects a targets file of %s with exit 65 in bounded memory",
    async (what, fill) => {
      const r = await scoreWith(Buffer.alloc(HUGE_TARGETS_BYTES, fill), what);
      expect(r.code).toBe(65);
      expect(r.stderr).toContain("row 0");
    },
    120_000,
  );
});

describe("--on-error skip", () => {
  it("says why the first skipped row was bad, with its frame and byte offset, not only that it held NaN", async () => {
    // Wire marks a malformed row's logits NaN so the kernels skip it; the report on stderr should still
    // carry wire's reason (as exit 65 without skip does), not the kernel's "NaN logit".
    const stdin = '[1,2,3]\n[1,"x",3]\n[1,2,3]\n';
    const args = ["sample", "--on-error", "skip"];
    const r = await runCli(args, { stdin, timeoutMs: CASE_TIMEOUT_MS });
    expectContract(r, args, "skip reason");
    expect(r.code).toBe(0);
    expect(checkRecords(r.stdout.toString(), { gaps: true }).rows).toBe(3);
    expect(r.stderr).toMatch(
      /^logitstream sample: skipped 1 bad row \(first: row 1 \(line 2\)[^\n]*expected a number/,
    );
    expect(r.stderr).toContain("frame 1, byte offset 8");
  });
});

describe("msgpack extension types", () => {
  const EXT: readonly (readonly [string, number[]])[] = [
    ["fixext 1", [0xd4, 0x01, 0x00]],
    ["fixext 2", [0xd5, 0x01, 0x00, 0x00]],
    ["fixext 4 (the timestamp type, -1)", [0xd6, 0xff, 0x00, 0x00, 0x00, 0x01]],
    ["fixext 8 (the timestamp type, -1)", [0xd7, 0xff, ...new Array(8).fill(0)]],
    ["fixext 16", [0xd8, 0x05, ...new Array(16).fill(0)]],
    ["ext 8 (timestamp 96)", [0xc7, 12, 0xff, ...new Array(12).fill(0)]],
    ["ext 16", [0xc8, 0x00, 0x02, 0x07, 0x00, 0x00]],
    ["ext 32", [0xc9, 0x00, 0x00, 0x00, 0x01, 0x72, 0x00]],
    ["msgpackr's record extension (0x72)", [0xd4, 0x72, 0x00]],
  ];
  const good = (i: number) => Uint8Array.from([0x82, ...logitsBin, ...str("id"), i]);

  it.each(EXT)("rejects %s as an id with exit 65 naming its frame", async (_name, ext) => {
    const bad = Uint8Array.from([0x82, ...logitsBin, ...str("id"), ...ext]);
    const stdin = Buffer.concat([good(0), bad, good(2)]);
    const r = await runCli(["sample", "--format", "msgpack"], { stdin, timeoutMs: CASE_TIMEOUT_MS });
    expectContract(r, ["sample"], _name);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/extension type/);
    expect(r.stderr).toContain("frame 1");
    expect(checkRecords(r.stdout.toString()).rows).toBe(1);
  });

  it(`skips each of the ${EXT.length} extension-typed ids' frame with --on-error skip, keeping every good frame around them`, async () => {
    // One run for all of them (each CLI process costs ~0.35 s of CPU to start): good frames 0, 2, 4, …
    // with one extension-typed id between each pair; every bad frame must be skipped on its own.
    const frames: Uint8Array[] = [good(0)];
    EXT.forEach(([, ext], i) => {
      frames.push(Uint8Array.from([0x82, ...logitsBin, ...str("id"), ...ext]), good(2 * i + 2));
    });
    const args = ["sample", "--format", "msgpack", "--on-error", "skip"];
    const s = await runCli(args, { stdin: Buffer.concat(frames), timeoutMs: CASE_TIMEOUT_MS });
    expectContract(s, args, "extension types, skip");
    expect(s.code).toBe(0);
    expect(s.stderr).toMatch(new RegExp(`skipped ${EXT.length} bad rows`));
    expect(s.stderr).toMatch(/extension type/);
    const rows = s.stdout
      .toString()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { row: number; id: unknown });
    const expected = Array.from({ length: EXT.length + 1 }, (_, i) => [2 * i, 2 * i]);
    expect(rows.map((x) => [x.row, x.id])).toEqual(expected);
  });

  it("rejects an extension type in place of the logits", async () => {
    const stdin = Uint8Array.from([0x81, ...str("logits"), 0xd6, 0xff, 0, 0, 0, 1]);
    const r = await runCli(["score", "--format", "msgpack"], { stdin, timeoutMs: CASE_TIMEOUT_MS });
    expectContract(r, ["score"], "ext logits");
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/extension type/);
  });
});
