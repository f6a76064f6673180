// Parse in the workers (default) vs parse on the calling thread, for a streaming score job over wire byte
// chunks (frameChunks → run), NDJSON and msgpack f32, V = 128,256, 2 threads (and 1), interleaved reps.
// "main" decodes each chunk with wire's decodeChunkPrefix on the calling thread, then stages the decoded
// rows into shared memory for the workers; "worker" stages the raw bytes and the workers decode them.
import { encodeMsgpack, encodeNdjson, frameChunks } from "@logitstream/wire";
import { loadAverage, wallAndCpu } from "../../../scripts/benchHarness.mjs";
import { createPool } from "../dist/index.js";
import { consume, fmt, machine, mainThreadCpuSeconds, makeRows, median, targetsFor, V } from "./common.mjs";

const ROWS = Number(process.env.ROWS ?? 48);
const REPS = Number(process.env.REPS ?? 3);
const data = makeRows(ROWS);
const batch = { rows: ROWS, vocab: V, data, targets: targetsFor(ROWS) };
const inputs = {
  NDJSON: encodeNdjson(batch),
  "msgpack f32": encodeMsgpack(batch, { dtype: "f32" }),
};

const configs = {};
for (const threads of [1, 2]) {
  for (const parse of ["worker", "main"])
    configs[`${threads} thread${threads > 1 ? "s" : ""}, parse in ${parse}`] = createPool({
      threads,
      parse,
      inlineThreshold: 0,
    });
}

// The input arrives as a pipe delivers it: 64 KiB reads.
function* pipe(bytes) {
  for (let at = 0; at < bytes.length; at += 65536)
    yield bytes.subarray(at, Math.min(bytes.length, at + 65536));
}

async function job(pool, bytes) {
  let rows = 0;
  // ALLOC=1: chunks cut straight into the pool's slabs (as the CLI does), no staging copy.
  const alloc = process.env.ALLOC === "1" ? { alloc: pool.allocBytes } : {};
  for await (const r of pool.run(frameChunks(pipe(bytes), { maxBatchRows: 4, ...alloc }), {
    kind: "score",
    output: "ndjson",
  })) {
    rows += r.rows;
    consume(r.bytes.length);
  }
  if (rows !== ROWS) throw new Error(`expected ${ROWS} rows, got ${rows}`);
}

for (const pool of Object.values(configs)) await job(pool, inputs["msgpack f32"]);

console.log(
  `parse site — score, V = ${fmt(V)}, ${ROWS} rows, 4-row chunks, ${REPS} interleaved reps, ${machine()}`,
);
console.log(`load average at start: ${loadAverage()}`);
console.log(
  "| input | bytes | config | rows/s | worker ÷ main (wall) | CPU ns/element | main-thread share | projected rows/s on 2 free cores |",
);
console.log("|---|---:|---|---:|---:|---:|---:|---:|");
for (const [name, bytes] of Object.entries(inputs)) {
  const times = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));
  const cpuS = Object.fromEntries(Object.keys(configs).map((k) => [k, 0]));
  const mainS = Object.fromEntries(Object.keys(configs).map((k) => [k, 0]));
  for (let rep = 0; rep < REPS; rep++) {
    for (const [k, pool] of Object.entries(configs)) {
      const m = await wallAndCpu(() => job(pool, bytes), mainThreadCpuSeconds);
      times[k].push(m.wall);
      cpuS[k] += m.cpuS;
      mainS[k] += m.mainS;
    }
  }
  for (const k of Object.keys(configs)) {
    const t = median(times[k]);
    const other = k.includes("worker") ? k.replace("worker", "main") : k.replace("main", "worker");
    const ratio = k.includes("worker") ? median(times[other]) / t : t / median(times[other]);
    // Projection (CPU accounting, not a measurement): on 2 free cores, the workers' CPU spreads over the
    // pool's threads (2 cores in all, shared with the calling thread); the calling thread's CPU is serial.
    const threads = k.startsWith("2") ? 2 : 1;
    const workerS = cpuS[k] - mainS[k];
    const wall = Math.max(workerS / threads, cpuS[k] / 2, mainS[k]) / REPS;
    console.log(
      `| ${name} | ${fmt(bytes.length / 1e6, 1)} MB | ${k} | ${fmt(ROWS / (t / 1000), 1)} | ${fmt(ratio, 2)}× | ${fmt((cpuS[k] * 1e9) / (REPS * ROWS * V), 1)} | ${fmt((100 * mainS[k]) / cpuS[k], 0)} % | ${fmt(ROWS / wall, 1)} |`,
    );
  }
}
await Promise.all(Object.values(configs).map((p) => p.close()));
