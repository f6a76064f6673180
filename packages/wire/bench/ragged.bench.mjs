// Rows of different lengths: what decodeChunkPrefix(chunk, { ragged: true }) — the pool's call — costs.
// (1) On uniform rows, where it must cost nothing: ragged: true against ragged: false on the same chunks.
// (2) On rows of 4 and 5 logits alternating (multiple-choice items), against uniform rows of 5: the packed
// layout's price. Chunks are cut once; decoding reuses one output buffer, as a worker does. Small rows, so
// per-row costs show; interleaved reps in one process.
import { decodeChunkPrefix, encodeMsgpack, encodeNdjson, frameChunks } from "../dist/index.js";
import { consume, header, logits, row } from "./harness.mjs";

const R = 200_000;
const REPS = Number(process.env.REPS ?? 9);
const V = 5;
const data = logits(R, V);
const targets = Int32Array.from({ length: R }, (_, i) => i % 4);
let buffer = new Float32Array(1 << 20);
function into(n) {
  if (buffer.length < n) buffer = new Float32Array(n);
  return buffer;
}

async function chunksOf(bytes, opts) {
  const out = [];
  for await (const c of frameChunks([bytes], opts)) out.push(c);
  return out;
}

function decodeAll(chunks, ragged) {
  const t0 = performance.now();
  for (const c of chunks) {
    const { batch, error } = decodeChunkPrefix(c, { data: into, ragged });
    if (error) throw error;
    consume(batch.data[0]);
  }
  return performance.now() - t0;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Interleaved medians of each case's decode time. */
function race(cases) {
  const times = cases.map(() => []);
  for (let i = 0; i < REPS + 2; i++) {
    cases.forEach(([, chunks, ragged], k) => {
      const ms = decodeAll(chunks, ragged);
      if (i >= 2) times[k].push(ms);
    });
  }
  return times.map(median);
}

/** The same numbers, rows 4 and 5 long alternating (the 5th logit dropped from every other row). */
function raggedNdjson() {
  const lines = [];
  for (let r = 0; r < R; r++)
    lines.push(JSON.stringify(Array.from(data.subarray(r * V, r * V + (r % 2 ? 5 : 4)))));
  return new TextEncoder().encode(lines.join("\n"));
}
function raggedMsgpack() {
  const frames = [];
  for (let r = 0; r < R; r++) {
    const v = r % 2 ? 5 : 4;
    frames.push(
      encodeMsgpack({ rows: 1, vocab: v, data: data.subarray(r * V, r * V + v) }, { dtype: "f32" }),
    );
  }
  return Buffer.concat(frames);
}

header(`ragged decode: ${R} rows of ${V} (and 4) logits, decodeChunkPrefix, ${REPS} interleaved reps`);
for (const [name, uniform, ragged, format] of [
  ["NDJSON arrays", encodeNdjson({ rows: R, vocab: V, data }), raggedNdjson(), "ndjson"],
  [
    'NDJSON {"logits", "target"} objects',
    encodeNdjson({ rows: R, vocab: V, data, targets }, { objects: true }),
    null,
    "ndjson",
  ],
  ["msgpack f32", encodeMsgpack({ rows: R, vocab: V, data }, { dtype: "f32" }), raggedMsgpack(), "msgpack"],
]) {
  const u = await chunksOf(uniform, { format });
  const cases = [
    [`${name}, uniform rows, ragged: false`, u, false],
    [`${name}, uniform rows, ragged: true (the pool's call)`, u, true],
  ];
  if (ragged !== null)
    cases.push([
      `${name}, rows of 4 and 5 alternating, ragged: true`,
      await chunksOf(ragged, { format }),
      true,
    ]);
  const ms = race(cases);
  const sizes = [uniform.length, uniform.length, ragged?.length ?? 0];
  cases.forEach(([label], k) => {
    console.log(row(label, ms[k], R, sizes[k], ms[0]));
  });
}
