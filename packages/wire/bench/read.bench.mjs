// Reading each format at V = 128,256: rows/s and MB/s of input, against the obvious baseline.
import { Unpackr } from "msgpackr";
import {
  encodeMsgpack,
  encodeNdjson,
  encodeNpy,
  encodeRaw,
  encodeSafetensors,
  float16Table,
  frameChunks,
  readBatches,
} from "../dist/index.js";
import { consume, header, logits, measure, pieces, row } from "./harness.mjs";

const V = 128256;
const R = 32;
const data = logits(R, V);
const batch = { rows: R, vocab: V, data };

async function readAll(input, opts) {
  let n = 0;
  for await (const b of readBatches(input, opts)) {
    n += b.rows;
    consume(b.data[b.data.length - 1]);
  }
  if (n !== R) throw new Error(`read ${n} rows`);
}

header(`read, V = ${V}, ${R} rows per run, input in 64 KiB pieces`);

// Binary: the floor is one Float32Array.set of the same bytes (memcpy).
const raw32 = encodeRaw(batch, "f32");
const floorOut = new Float32Array(R * V);
const floorMs = await measure(() => {
  floorOut.set(new Float32Array(raw32.buffer, raw32.byteOffset, R * V));
  consume(floorOut[7]);
});
console.log(
  row("floor: Float32Array.set of the f32 bytes into a reused buffer (memcpy)", floorMs, R, raw32.length),
);
const allocMs = await measure(() => {
  const out = new Float32Array(R * V);
  out.set(new Float32Array(raw32.buffer, raw32.byteOffset, R * V));
  consume(out[7]);
});
console.log(
  row(
    "floor + a fresh output buffer (what any reader that returns new rows pays)",
    allocMs,
    R,
    raw32.length,
    floorMs,
  ),
);
for (const [name, bytes, opts] of [
  ["raw f32", raw32, { format: "f32", vocab: V }],
  ["raw f16", encodeRaw(batch, "f16"), { format: "f16", vocab: V }],
  ["raw bf16", encodeRaw(batch, "bf16"), { format: "bf16", vocab: V }],
  [".npy <f4", encodeNpy(batch, "f32"), {}],
  [".npy <f2", encodeNpy(batch, "f16"), {}],
  ["safetensors F32", encodeSafetensors({ logits: { batch } }), {}],
  ["safetensors BF16", encodeSafetensors({ logits: { batch, dtype: "bf16" } }), {}],
]) {
  const p = pieces(bytes);
  const ms = await measure(() => readAll(p, opts));
  console.log(row(`readBatches ${name}`, ms, R, bytes.length, floorMs));
}

// msgpack: baseline is msgpackr's own unpack of the whole buffer (bins stay bytes: it does less work).
const unpackr = new Unpackr({ useRecords: false });
const f16 = float16Table();
for (const [name, opts] of [
  ["f32 bin, 1 row/frame", { dtype: "f32" }],
  ["f16 bin, 1 row/frame", { dtype: "f16" }],
  ["f32 bin, 8 rows/frame", { dtype: "f32", rowsPerFrame: 8 }],
  ["array of float32", { dtype: "array" }],
]) {
  const bytes = encodeMsgpack(batch, opts);
  const rawMs = await measure(() => consume(unpackr.unpackMultiple(bytes).length));
  console.log(row(`msgpackr unpackMultiple alone (bins stay bytes), ${name}`, rawMs, R, bytes.length));
  // The fair baseline also turns each frame's logits into a Float32Array (f16: exact table decode).
  const baseMs = await measure(() => {
    for (const m of unpackr.unpackMultiple(bytes)) {
      const l = m.logits;
      let f;
      if (Array.isArray(l)) f = Float32Array.from(l);
      else if (m.dtype === "f16") {
        const u = new Uint16Array(l.buffer.slice(l.byteOffset, l.byteOffset + l.length));
        f = new Float32Array(u.length);
        for (let i = 0; i < u.length; i++) f[i] = f16[u[i]];
      } else f = new Float32Array(l.buffer.slice(l.byteOffset, l.byteOffset + l.length));
      consume(f[0]);
    }
  });
  console.log(
    row(`baseline: msgpackr unpackMultiple + Float32Array per frame, ${name}`, baseMs, R, bytes.length),
  );
  const p = pieces(bytes);
  const ms = await measure(() => readAll(p, {}));
  console.log(row(`readBatches msgpack ${name}`, ms, R, bytes.length, baseMs));
  const fms = await measure(async () => {
    for await (const c of frameChunks(p, {})) consume(c.rows);
  });
  console.log(row(`frameChunks only (main-thread share), ${name}`, fms, R, bytes.length, baseMs));
}

// NDJSON: baseline is JSON.parse per line (decode the text, split, parse, copy into a Float32Array).
const nd = encodeNdjson(batch);
const td = new TextDecoder();
const ndBase = await measure(
  () => {
    const lines = td.decode(nd).split("\n");
    for (const l of lines) {
      if (l.length === 0) continue;
      const a = JSON.parse(l);
      const f = new Float32Array(a.length);
      for (let i = 0; i < a.length; i++) f[i] = a[i];
      consume(f[3]);
    }
  },
  { runs: 3, warmup: 1 },
);
console.log(
  row("baseline: JSON.parse per line (float32 written as shortest double, ~18 chars)", ndBase, R, nd.length),
);
const ndp = pieces(nd);
const ndMs = await measure(() => readAll(ndp, {}), { runs: 3, warmup: 1 });
console.log(row("readBatches NDJSON arrays (byte scanner)", ndMs, R, nd.length, ndBase));
const ndObj = encodeNdjson(batch, { objects: true });
const ndObjMs = await measure(() => readAll(pieces(ndObj), {}), { runs: 3, warmup: 1 });
console.log(
  row(
    'readBatches NDJSON {"logits": [...]} objects (scanner for logits, JSON.parse for the rest)',
    ndObjMs,
    R,
    ndObj.length,
    ndBase,
  ),
);
const fms = await measure(async () => {
  for await (const c of frameChunks(ndp, {})) consume(c.rows);
});
console.log(row("frameChunks only (main-thread share), NDJSON", fms, R, nd.length, ndBase));

// NDJSON written with 9 significant digits (enough for float32; e.g. numpy's float32 repr).
const short = new TextEncoder().encode(
  Array.from(
    { length: R },
    (_, r) =>
      `[${Array.from(data.subarray(r * V, (r + 1) * V), (x) => String(Number(x.toPrecision(9)))).join(",")}]`,
  ).join("\n"),
);
const shortBase = await measure(
  () => {
    for (const l of td.decode(short).split("\n")) {
      const a = JSON.parse(l);
      const f = new Float32Array(a.length);
      for (let i = 0; i < a.length; i++) f[i] = a[i];
      consume(f[3]);
    }
  },
  { runs: 3, warmup: 1 },
);
console.log(row("baseline: JSON.parse per line (9 significant digits)", shortBase, R, short.length));
const shortMs = await measure(() => readAll(pieces(short), {}), { runs: 3, warmup: 1 });
console.log(
  row("readBatches NDJSON arrays, 9 significant digits (byte scanner)", shortMs, R, short.length, shortBase),
);
