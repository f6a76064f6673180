/**
 * The LM-head kernel's two implementations behind one interface: the WebAssembly SIMD module
 * (assembly/lmHead.ts, embedded as base64) and its JavaScript twin, which performs the same float32
 * operations in the same order (products and sums rounded with Math.fround, which equals float32
 * arithmetic for one multiply or add of float32 operands), so both give identical bits.
 */

import { LM_HEAD_WASM_BASE64 } from "./lmHeadWasmBytes.generated.js";
import { decodeBase64 } from "./wasm.js";

/** Element type codes shared with the WebAssembly module. */
export const LM_HEAD_DTYPE = { f32: 0, f16: 1, bf16: 2 } as const;

/** One LM-head backend: its kernel and its linear memory (views must be re-taken after a grow). */
export interface LmHeadBackend {
  readonly name: "wasm-simd" | "js";
  /** First free byte address (64-aligned). */
  readonly base: number;
  buffer(): ArrayBuffer;
  ensureBytes(bytes: number): void;
  /** out[p · os + r] = Σ_i h[p · hs + i] · W[r][i], r < rows, p < count (addresses in bytes). */
  rows(
    dtype: number,
    h: number,
    hs: number,
    count: number,
    d: number,
    w: number,
    rows: number,
    out: number,
    os: number,
  ): void;
}

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface LmHeadExports {
  memory: WasmMemory;
  heapBase(): number;
  lmHeadRows(
    dtype: number,
    h: number,
    hs: number,
    count: number,
    d: number,
    w: number,
    rows: number,
    out: number,
    os: number,
  ): void;
}

/** The SIMD backend, or null where WebAssembly SIMD is missing or a synchronous compile is refused. */
export function createLmHeadWasm(): LmHeadBackend | null {
  const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (WA === undefined || typeof WA.validate !== "function") return null;
  try {
    const bytes = decodeBase64(LM_HEAD_WASM_BASE64);
    if (!WA.validate(bytes)) return null;
    const k = new WA.Instance(new WA.Module(bytes), {}).exports as unknown as LmHeadExports;
    return {
      name: "wasm-simd",
      base: k.heapBase(),
      buffer: () => k.memory.buffer,
      ensureBytes(n) {
        const have = k.memory.buffer.byteLength;
        if (n > have) k.memory.grow(Math.ceil((n - have) / 65536));
      },
      rows: k.lmHeadRows,
    };
  } catch {
    return null;
  }
}

let f16Table: Float32Array | undefined;
/** Every float16 bit pattern decoded exactly (subnormals, ±0, ±Infinity, NaN). */
function halfTable(): Float32Array {
  if (f16Table !== undefined) return f16Table;
  const t = new Float32Array(65536);
  for (let b = 0; b < 65536; b++) {
    const e = (b >> 10) & 31;
    const m = b & 1023;
    const v =
      e === 0
        ? m * 2 ** -24
        : e === 31
          ? m === 0
            ? Number.POSITIVE_INFINITY
            : Number.NaN
          : (1024 + m) * 2 ** (e - 25);
    t[b] = b & 0x8000 ? -v : v;
  }
  f16Table = t;
  return t;
}

/** The JavaScript twin of assembly/lmHead.ts: same lanes, same order, same roundings. */
export function createLmHeadFallback(): LmHeadBackend {
  let buf = new ArrayBuffer(65536);
  let f32 = new Float32Array(buf);
  let u16 = new Uint16Array(buf);
  let scratch = new Float32Array(0);
  let scratchBits = new Uint32Array(0);
  const fr = Math.fround;
  return {
    name: "js",
    base: 64,
    buffer: () => buf,
    ensureBytes(n) {
      if (n <= buf.byteLength) return;
      const next = new ArrayBuffer(Math.ceil(n / 65536) * 65536);
      new Uint8Array(next).set(new Uint8Array(buf));
      buf = next;
      f32 = new Float32Array(buf);
      u16 = new Uint16Array(buf);
    },
    rows(dtype, h, hs, count, d, w, rows, out, os) {
      const d8 = d & ~7;
      if (scratch.length < d) {
        scratch = new Float32Array(d);
        scratchBits = new Uint32Array(scratch.buffer);
      }
      const half = dtype === LM_HEAD_DTYPE.f16 ? halfTable() : undefined;
      const hx = h >> 2;
      const ox = out >> 2;
      for (let r = 0; r < rows; r++) {
        // The row as float32 (decoding float16 / bfloat16 is exact).
        let wv: Float32Array;
        let wx: number;
        if (dtype === LM_HEAD_DTYPE.f32) {
          wv = f32;
          wx = (w >> 2) + r * d;
        } else {
          const ux = (w >> 1) + r * d;
          if (half !== undefined) for (let i = 0; i < d; i++) scratch[i] = half[u16[ux + i]!]!;
          else for (let i = 0; i < d; i++) scratchBits[i] = u16[ux + i]! << 16; // bfloat16: the upper half
          wv = scratch;
          wx = 0;
        }
        for (let p = 0; p < count; p++) {
          const hp = hx + p * hs;
          let a0 = 0;
          let a1 = 0;
          let a2 = 0;
          let a3 = 0;
          let b0 = 0;
          let b1 = 0;
          let b2 = 0;
          let b3 = 0;
          let i = 0;
          for (; i < d8; i += 8) {
            const q = hp + i;
            const x = wx + i;
            a0 = fr(a0 + fr(f32[q]! * wv[x]!));
            a1 = fr(a1 + fr(f32[q + 1]! * wv[x + 1]!));
            a2 = fr(a2 + fr(f32[q + 2]! * wv[x + 2]!));
            a3 = fr(a3 + fr(f32[q + 3]! * wv[x + 3]!));
            b0 = fr(b0 + fr(f32[q + 4]! * wv[x + 4]!));
            b1 = fr(b1 + fr(f32[q + 5]! * wv[x + 5]!));
            b2 = fr(b2 + fr(f32[q + 6]! * wv[x + 6]!));
            b3 = fr(b3 + fr(f32[q + 7]! * wv[x + 7]!));
          }
          if (i < d) {
            // Zero-padded tail: lanes past d add +0 (h is zero-padded, the weight masked to +0).
            const t = d - i;
            const q = hp + i;
            const x = wx + i;
            const prod = (j: number) => (j < t ? fr(f32[q + j]! * wv[x + j]!) : fr(f32[q + j]! * 0));
            a0 = fr(a0 + prod(0));
            a1 = fr(a1 + prod(1));
            a2 = fr(a2 + prod(2));
            a3 = fr(a3 + prod(3));
            b0 = fr(b0 + prod(4));
            b1 = fr(b1 + prod(5));
            b2 = fr(b2 + prod(6));
            b3 = fr(b3 + prod(7));
          }
          const v0 = fr(a0 + b0);
          const v1 = fr(a1 + b1);
          const v2 = fr(a2 + b2);
          const v3 = fr(a3 + b3);
          f32[ox + p * os + r] = fr(fr(v0 + v1) + fr(v2 + v3));
        }
      }
    },
  };
}
