// The NDJSON number scanner against JSON.parse on the same lines, interleaved in one process.
// Both produce float32 rows; the scanner's output is bit-identical (see test/scanNumberArray.test.ts).
import { tableHeader, tableRow } from "../../../scripts/benchHarness.mjs";
import { scanNumberArray } from "../dist/index.js";
import { consume, logits, measure } from "./harness.mjs";

const V = 128256;
const R = 8;
const data = logits(R, V, 3);
const enc = new TextEncoder();
const td = new TextDecoder();
const lines17 = enc.encode(
  `${Array.from({ length: R }, (_, r) => JSON.stringify(Array.from(data.subarray(r * V, (r + 1) * V)))).join("\n")}\n`,
);
const lines9 = enc.encode(
  `${Array.from({ length: R }, (_, r) => `[${Array.from(data.subarray(r * V, (r + 1) * V), (x) => String(Number(x.toPrecision(9)))).join(",")}]`).join("\n")}\n`,
);
const out = new Float32Array(V);

function scanAll(nd) {
  let pos = 0;
  for (let r = 0; r < R; r++) {
    const e = nd.indexOf(10, pos);
    consume(scanNumberArray(nd, pos, e, out, 0, V));
    pos = e + 1;
  }
}
function parseAll(nd) {
  for (const l of td.decode(nd).split("\n")) {
    if (l.length === 0) continue;
    const a = JSON.parse(l);
    for (let i = 0; i < V; i++) out[i] = a[i];
    consume(out[1]);
  }
}

console.log(`\n### NDJSON number parsing, V = ${V}, ${R} rows (ns per number, median of 7)\n`);
tableHeader(["numbers", "JSON.parse per line + copy", "byte scanner", "scanner speed-up"]);
for (const [name, nd] of [
  ["shortest double of a float32 (~17 digits, JSON.stringify / Python json)", lines17],
  ["9 significant digits (float32 repr)", lines9],
]) {
  const p = await measure(() => parseAll(nd), { runs: 7, warmup: 2 });
  const s = await measure(() => scanAll(nd), { runs: 7, warmup: 2 });
  const per = (ms) => ((ms * 1e6) / (R * V)).toFixed(1);
  console.log(tableRow([name, per(p), per(s), `${(p / s).toFixed(2)}×`]));
}
