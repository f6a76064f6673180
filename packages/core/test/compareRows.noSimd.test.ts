import { describe, expect, it } from "vitest";
import { compareRowsStrided } from "../src/index.js";
import { compareRowsBackend } from "../src/kernels/compareRowsBackend.js";
import { runHere, runJitless } from "./jitlessRun.js";

// The real no-SIMD path of compareRowsStrided: a Node process started with --jitless has no
// WebAssembly at all, so core must pick the JavaScript twin by itself (not through the test hook) and
// give the SIMD pass's bits. The child runs the built package (`pnpm test` builds first).

/** The same comparisons in both processes; every double as its 64 bits in hex (NaN, −0 and ∞ too). */
const BODY = `
let s = 11;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
const hex = (x) => {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  return v.getBigUint64(0).toString(16);
};
const out = [];
for (const v of [1, 2, 3, 5, 8, 13, 1000, 3001]) {
  const data = Float32Array.from({ length: 2 * v + 3 }, (_, i) => {
    const u = rnd();
    return u < 0.05 ? -Infinity : u < 0.1 ? -720 - 20 * rnd() : (rnd() - 0.5) * 24;
  });
  data[1 + Math.floor(rnd() * v)] = 7; // a finite maximum in each row
  data[1 + v + 1 + Math.floor(rnd() * v)] = 7;
  const c = core.compareRowsStrided(
    { data, offset: 1, length: v },
    { data, offset: 1 + v + 1, length: v },
    { target: v - 1 },
  );
  out.push([hex(c.kl), c.top1Base, c.top1New, hex(c.pBase), hex(c.pNew), hex(c.dp)]);
}
console.log(JSON.stringify({ backend: backend.compareRowsBackend().name, out }));
`;

describe("compareRowsStrided without WebAssembly (node --jitless)", () => {
  it("falls back to the JavaScript twin by itself and gives the SIMD pass's bits", () => {
    const child = runJitless(
      BODY,
      // Both from dist/internal.js (the package's index and its internals in one bundle): the backend read
      // is the one compareRowsStrided uses, not a second copy's.
      `const core = await import(process.argv[1] + "/internal.js");
const backend = core;`,
    );
    expect(child.backend).toBe("js");
    const simd = runHere(BODY, { core: { compareRowsStrided }, backend: { compareRowsBackend } });
    expect(simd.backend).toBe("wasm-simd");
    expect(child.out).toEqual(simd.out);
    expect(child.out).toHaveLength(8);
  }, 120_000);
});
