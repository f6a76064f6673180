// Writing each format at V = 128,256 (rows → bytes), and output records, against the obvious baselines.
import { Packr } from "msgpackr";
import {
  encodeMsgpack,
  encodeNdjson,
  encodeNpy,
  encodeRaw,
  encodeRecords,
  encodeSafetensors,
} from "../dist/index.js";
import { consume, header, logits, measure, row } from "./harness.mjs";

const V = 128256;
const R = 32;
const data = logits(R, V);
const batch = { rows: R, vocab: V, data };

header(`write, V = ${V}, ${R} rows per run (MB/s of output)`);

const floorOut = new Uint8Array(R * V * 4);
const floorMs = await measure(() => {
  floorOut.set(new Uint8Array(data.buffer));
  consume(floorOut[9]);
});
console.log(row("floor: copy of the f32 bytes into a reused buffer (memcpy)", floorMs, R, R * V * 4));
for (const [name, fn] of [
  ["encodeRaw f32", () => encodeRaw(batch, "f32")],
  ["encodeRaw f16", () => encodeRaw(batch, "f16")],
  ["encodeRaw bf16", () => encodeRaw(batch, "bf16")],
  ["encodeNpy <f4", () => encodeNpy(batch, "f32")],
  ["encodeSafetensors F32", () => encodeSafetensors({ logits: { batch } })],
]) {
  let size = 0;
  const ms = await measure(() => {
    const b = fn();
    size = b.length;
    consume(b[b.length - 1]);
  });
  console.log(row(name, ms, R, size, floorMs));
}

const packr = new Packr({ useRecords: false, variableMapSize: true });
const mpBase = await measure(() => {
  for (let r = 0; r < R; r++)
    consume(packr.pack({ logits: new Uint8Array(data.buffer, r * V * 4, V * 4) }).length);
});
console.log(row("baseline: msgpackr pack of {logits: bin} per row", mpBase, R, R * V * 4));
for (const [name, opts] of [
  ["f32 bin", { dtype: "f32" }],
  ["f16 bin", { dtype: "f16" }],
  ["array of float32", { dtype: "array" }],
]) {
  let size = 0;
  const ms = await measure(() => {
    const b = encodeMsgpack(batch, opts);
    size = b.length;
    consume(b[3]);
  });
  console.log(row(`encodeMsgpack ${name}`, ms, R, size, mpBase));
}

let ndSize = 0;
const ndBase = await measure(
  () => {
    const lines = [];
    for (let r = 0; r < R; r++) lines.push(JSON.stringify(Array.from(data.subarray(r * V, (r + 1) * V))));
    const b = new TextEncoder().encode(`${lines.join("\n")}\n`);
    ndSize = b.length;
    consume(b[5]);
  },
  { runs: 3, warmup: 1 },
);
console.log(row("baseline: JSON.stringify(Array.from(row)) per line", ndBase, R, ndSize));
const ndMs = await measure(() => consume(encodeNdjson(batch)[5]), { runs: 3, warmup: 1 });
console.log(row("encodeNdjson", ndMs, R, ndSize, ndBase));

// Output records: one softmax record per row (the largest record of the CLI contract).
const probs = Array.from({ length: R }, (_, r) => data.subarray(r * V, (r + 1) * V));
let recSize = 0;
const recBase = await measure(
  () => {
    let n = 0;
    for (let r = 0; r < R; r++) n += JSON.stringify({ row: r, probs: Array.from(probs[r]) }).length;
    recSize = n;
    consume(n);
  },
  { runs: 3, warmup: 1 },
);
console.log(row("baseline: JSON.stringify({row, probs: Array.from(...)})", recBase, R, recSize));
const recMs = await measure(
  () =>
    consume(
      encodeRecords(
        probs.map((p, r) => ({ row: r, probs: p })),
        "ndjson",
      ).length,
    ),
  { runs: 3, warmup: 1 },
);
console.log(row("encodeRecords ndjson, softmax records", recMs, R, recSize, recBase));
const sampleRecords = Array.from({ length: 100000 }, (_, i) => ({
  row: i,
  token: i % 50000,
  logprob: -Math.abs(data[i]),
}));
let sSize = 0;
const sMs = await measure(() => {
  const b = encodeRecords(sampleRecords, "ndjson");
  sSize = b.length;
  consume(b[1]);
});
console.log(row("encodeRecords ndjson, 100,000 sample records", sMs, 100000, sSize));
const sMp = await measure(() => consume(encodeRecords(sampleRecords, "msgpack")[1]));
console.log(row("encodeRecords msgpack, 100,000 sample records", sMp, 100000, sSize));
