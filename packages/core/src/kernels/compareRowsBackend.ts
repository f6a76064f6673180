/**
 * The model-comparison pass's two implementations behind one interface: the WebAssembly SIMD module
 * (assembly/compareRows.ts, embedded as base64) and its JavaScript twin, which performs the same
 * float64 operations (portableExp per element) and adds them in the same fixed strand order, so both
 * give identical bits.
 */

import { argmaxStrided } from "../argmaxStrided.js";
import { checkRow } from "../checkRow.js";
import { portableExp } from "../portableExp.js";
import { COMPARE_ROWS_WASM_BASE64 } from "./compareRowsWasmBytes.generated.js";
import { decodeBase64 } from "./wasm.js";

/** What the pass reports for a row pair (see {@link CompareRowsBackend.pass}). */
export interface RowPairSums {
  maxBase: number;
  maxNew: number;
  /** S_b = Σ exp(x_i), S_n = Σ exp(y_i), C = Σ_{exp(x_i) > 0} exp(x_i)(x_i − y_i) (+Infinity when a
   * token allowed in base is banned in new). */
  sumBase: number;
  sumNew: number;
  cross: number;
  top1Base: number;
  top1New: number;
}

/** One implementation of the fused pass. */
interface CompareRowsBackend {
  readonly name: "wasm-simd" | "js";
  /**
   * Validates both rows (checkRow's typed errors, base first), then fills `out` with both maxima and
   * top-1 tokens and the three float64 sums — four strands, strand j adding the elements i ≡ j (mod 4)
   * in increasing i, each sum (s0 + s1) + (s2 + s3).
   */
  pass(
    b: Float32Array,
    bo: number,
    n: Float32Array,
    no: number,
    length: number,
    row: number,
    out: RowPairSums,
  ): void;
}

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
interface CompareRowsExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  compareRowPair(a: number, b: number, n8: number, out: number): void;
}

/** The SIMD backend, or null where WebAssembly SIMD is missing or a synchronous compile is refused. */
function createCompareRowsWasm(): CompareRowsBackend | null {
  const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (WA === undefined || typeof WA.validate !== "function") return null;
  let k: CompareRowsExports;
  try {
    const bytes = decodeBase64(COMPARE_ROWS_WASM_BASE64);
    if (!WA.validate(bytes)) return null;
    k = new WA.Instance(new WA.Module(bytes), {}).exports as unknown as CompareRowsExports;
  } catch {
    return null;
  }
  const outAddr = k.heapBase(); // 7 doubles, then the two rows
  const rowsAddr = outAddr + 64;
  let mem = k.memory.buffer;
  let f32 = new Float32Array(mem);
  let f64 = new Float64Array(mem);
  return {
    name: "wasm-simd",
    pass(b, bo, n, no, length, row, out) {
      if (!(length >= 1 && bo >= 0 && bo + length <= b.length && no >= 0 && no + length <= n.length)) {
        // An empty row or a window outside its buffer: checkRow throws the typed error.
        checkRow(b, bo, length, row);
        checkRow(n, no, length, row);
      }
      const n8 = (length + 7) & ~7;
      const bAddr = rowsAddr + n8 * 4;
      const need = bAddr + n8 * 4;
      if (need > k.memory.buffer.byteLength)
        k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
      if (k.memory.buffer !== mem) {
        mem = k.memory.buffer;
        f32 = new Float32Array(mem);
        f64 = new Float64Array(mem);
      }
      const ax = rowsAddr >> 2;
      const bx = bAddr >> 2;
      f32.set(b.subarray(bo, bo + length), ax);
      f32.fill(Number.NEGATIVE_INFINITY, ax + length, ax + n8);
      f32.set(n.subarray(no, no + length), bx);
      f32.fill(Number.NEGATIVE_INFINITY, bx + length, bx + n8);
      k.compareRowPair(rowsAddr, bAddr, n8, outAddr);
      const o = outAddr >> 3;
      const maxBase = f64[o]!;
      const maxNew = f64[o + 1]!;
      if (!(Number.isFinite(maxBase) && Number.isFinite(maxNew))) {
        // NaN, +Infinity or an all −Infinity row: checkRow names the row and the first bad index.
        checkRow(b, bo, length, row);
        checkRow(n, no, length, row);
      }
      out.maxBase = maxBase;
      out.maxNew = maxNew;
      out.sumBase = f64[o + 2]!;
      out.sumNew = f64[o + 3]!;
      out.cross = f64[o + 4]!;
      out.top1Base = f64[o + 5]!;
      out.top1New = f64[o + 6]!;
    },
  };
}

/**
 * Strand j of the fused pass: the elements i ≡ j (mod 4) in increasing i. Into `acc[j]`, `acc[4 + j]`,
 * `acc[8 + j]`: S_b, S_n and C of the strand. (One small loop per strand keeps both portableExp calls
 * inlined by V8; one loop over four strands' twelve accumulators ran 1.7× slower.)
 */
function strand(
  b: Float32Array,
  bo: number,
  n: Float32Array,
  no: number,
  length: number,
  maxB: number,
  maxN: number,
  j: number,
  acc: Float64Array,
): void {
  let sb = 0;
  let sn = 0;
  let c = 0;
  for (let i = j; i < length; i += 4) {
    const x = b[bo + i]! - maxB;
    const y = n[no + i]! - maxN;
    const e = portableExp(x);
    sn += portableExp(y);
    sb += e;
    // The SIMD kernel adds +0 where e = 0, which leaves a strand unchanged (it is never −0).
    if (e > 0) c += e * (x - y);
  }
  acc[j] = sb;
  acc[4 + j] = sn;
  acc[8 + j] = c;
}

const strandSums = new Float64Array(12);

/** The JavaScript twin of assembly/compareRows.ts: same exponentials, same strands, same order. */
const compareRowsFallback: CompareRowsBackend = {
  name: "js",
  pass(b, bo, n, no, length, row, out) {
    const maxB = checkRow(b, bo, length, row);
    const maxN = checkRow(n, no, length, row);
    const s = strandSums;
    for (let j = 0; j < 4; j++) strand(b, bo, n, no, length, maxB, maxN, j, s);
    out.maxBase = maxB;
    out.maxNew = maxN;
    out.sumBase = s[0]! + s[1]! + (s[2]! + s[3]!);
    out.sumNew = s[4]! + s[5]! + (s[6]! + s[7]!);
    out.cross = s[8]! + s[9]! + (s[10]! + s[11]!);
    out.top1Base = argmaxStrided(b, bo, length, maxB);
    out.top1New = argmaxStrided(n, no, length, maxN);
  },
};

/** The SIMD backend once tried (null where the runtime lacks it); the test hook's choice. */
let wasm: CompareRowsBackend | null | undefined;
let mode: "auto" | "js" = "auto";

/** The backend in use: WebAssembly SIMD where the runtime has it, else the JavaScript twin. */
export function compareRowsBackend(): CompareRowsBackend {
  if (mode === "js") return compareRowsFallback;
  if (wasm === undefined) wasm = createCompareRowsWasm();
  return wasm ?? compareRowsFallback;
}

/** Test and bench hook: force the JavaScript twin ("js") or let the runtime choose ("auto"). */
export function setCompareRowsBackend(m: "auto" | "js"): void {
  mode = m;
}
