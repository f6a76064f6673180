/**
 * The kernel interface shared by the WebAssembly SIMD module (assembly/kernels.ts) and its plain
 * JavaScript twin (fallback.ts). Pointers are byte addresses into the backend's memory; rows are
 * padded with -Infinity to a multiple of 16 elements (`n16`). Both implementations perform the same
 * float32 operations in the same order, so every result is bit-identical.
 */
export interface KernelExports {
  maxF32(p: number, n16: number): number;
  lastNegInf(): number;
  compactFinite(p: number, n: number, outVal: number, outIdx: number): number;
  scatterF32(src: number, idx: number, m: number, dst: number, n: number): void;
  expSum(p: number, n16: number, m: number, s: number, out: number, bs: number): number;
  expSumMoment(p: number, n16: number, m: number, s: number, bs: number): number;
  lastMoment(): number;
  logSoftmaxWrite64(src: number, n16: number, m: number, s: number, c: number, dst: number): void;
  logSoftmaxWrite32(src: number, n16: number, m: number, c: number, dst: number): void;
  scaleF32(src: number, n16: number, f: number, dst: number): void;
  countGt(p: number, n16: number, t: number): number;
  massGe(p: number, n16: number, t: number): number;
  collectRange(p: number, n: number, lo: number, hi: number, idx: number): number;
  topK(p: number, n16: number, k: number, outIdx: number, outVal: number): number;
  drawIndex(e: number, n: number, bs: number, r: number): number;
  decodeF16(src: number, n: number, dst: number): void;
  decodeBF16(src: number, n: number, dst: number): void;
  expArray(src: number, n: number, dst: number): void;
  heapBase(): number;
}

/** A backend: its kernels and its linear memory, which can grow (views must be re-taken after). */
export interface KernelBackend {
  readonly name: "wasm-simd" | "js";
  readonly k: KernelExports;
  /** The current memory buffer (replaced when memory grows). */
  buffer(): ArrayBuffer;
  /** Makes the memory at least `bytes` long. */
  ensureBytes(bytes: number): void;
}

/** Elements per summation block (must equal BLOCK in assembly/kernels.ts). */
export const BLOCK = 128;
