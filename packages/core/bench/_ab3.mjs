import * as A from "/work/main/packages/core/dist/index.js";
import * as B from "../dist/index.js";
import { makeLogits, warmUp, median, timeLoop } from "../../../scripts/benchHarness.mjs";
const V = 128256, x = makeLogits(V, 0x9e3779b9 ^ V);
const RUNS = +(process.argv[2] || 15);
const bytes = new Uint8Array(2 * V);
{ const dv = new DataView(bytes.buffer); for (let i = 0; i < V; i++) { const v = x[i]; const s = v < 0 ? 0x8000 : 0; const a = Math.abs(v); let e = Math.max(-14, Math.floor(Math.log2(a || 1e-30))); let m = Math.round((a / 2 ** e - 1) * 1024); if (a < 2 ** -14) { dv.setUint16(2*i, s | Math.round(a / 2 ** -24), true); continue; } if (m === 1024) { m = 0; e++; } dv.setUint16(2 * i, s | ((e + 15) << 10) | m, true); } }
const target = V >> 1;
const cases = [
  ["scoreHalfRow before", () => { const s = A.scoreHalfRow(bytes, 0, V, "f16", target); return [s.logprob + s.rank]; }],
  ["scoreHalfRow after", () => { const s = B.scoreHalfRow(bytes, 0, V, "f16", target); return [s.logprob + s.rank]; }],
].map(([name, fn]) => ({ name, fn, cpu: [] }));
const a = A.scoreHalfRow(bytes, 0, V, "f16", target), b = B.scoreHalfRow(bytes, 0, V, "f16", target);
console.log("same result:", a.logprob === b.logprob && a.entropy === b.entropy && a.rank === b.rank);
for (const c of cases) c.iters = warmUp(c.fn, 30);
for (let r = 0; r < RUNS; r++) for (const c of (r % 2 ? [...cases].reverse() : cases)) c.cpu.push(timeLoop(c.fn, c.iters)[1] * 1e6 / (c.iters * V));
for (const c of cases) console.log(c.name.padEnd(28), median(c.cpu).toFixed(3), "ratio to before", median(c.cpu.map((v, i) => v / cases[0].cpu[i])).toFixed(3));
