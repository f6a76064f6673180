import { InvalidParamsError } from "./errors.js";
import {
  createLmHeadFallback,
  createLmHeadWasm,
  LM_HEAD_DTYPE,
  type LmHeadBackend,
} from "./kernels/lmHeadBackend.js";
import { topLogprobs } from "./topLogprobs.js";

/** Options of {@link createLmHead}. */
export interface LmHeadOptions {
  /** Hidden size d (W's row length). */
  readonly d: number;
  /** Vocabulary size V (W's row count). */
  readonly vocab: number;
  /** Element type of W: `"f32"`, `"f16"` (IEEE binary16) or `"bf16"`, little-endian. */
  readonly dtype: "f32" | "f16" | "bf16";
  /** Most hidden vectors per pass over W (default 16): each row of W is read once per block. */
  readonly maxCount?: number;
  /** Bytes of W per kernel call (default 512 KiB, about an L2 cache). */
  readonly windowBytes?: number;
  /** `"auto"` (default: WebAssembly SIMD when available), `"wasm"` (throws when missing) or `"js"`. */
  readonly backend?: "auto" | "wasm" | "js";
}

/** A streaming LM head: hidden vectors in, W's rows streamed through once, one logit row per vector. */
export interface LmHead {
  /** `"wasm-simd"` or `"js"` (identical bits either way). */
  readonly backend: "wasm-simd" | "js";
  /** Rows of W that fit the window. */
  readonly windowRows: number;
  /** Logits, `count` rows of `vocab` floats (row p at p · vocab), filled by `push`. */
  readonly logits: Float32Array;
  /** Sets the block of hidden vectors (count × d floats from `offset`); later pushes use them. */
  setHidden(hidden: Float32Array, count: number, offset?: number): void;
  /**
   * The window in kernel memory (bytes for `windowRows` rows): write rows of W here (e.g. with
   * `fs.readSync`) and call `pushWindow`, which avoids one copy of W.
   */
  window(): Uint8Array;
  /** Computes the logits of `rows` rows of W now in the window, W rows `rowStart ..`. */
  pushWindow(rowStart: number, rows: number): void;
  /** Copies `rows` rows of W from `bytes[byteOffset ..]` through the window; W rows `rowStart ..`. */
  push(bytes: Uint8Array, byteOffset: number, rowStart: number, rows: number): void;
  /** The `n` most likely tokens of vector p and their log-probabilities (core's topLogprobs). */
  top(p: number, n: number, outIds: Int32Array, outLogprobs: Float64Array): number;
}

const ELEMENT_BYTES = { f32: 4, f16: 2, bf16: 2 } as const;

/**
 * Creates a fused, streaming LM head (the unembedding): `logits[p][r] = Σ_i hidden[p][i] · W[r][i]`
 * for a block of hidden vectors and W of shape [V, d] row-major (as safetensors and GGUF store it),
 * streamed through a cache-sized window so each row of W is read once per block of vectors; then
 * top-k / log-softmax on each logit row with core's kernels.
 *
 * Method: float32 products; fixed summation order — both vectors zero-padded to a multiple of 8, lane
 * j sums the products of the i ≡ j (mod 8) in increasing i, v_j = lane_j + lane_{j+4}, logit =
 * (v0 + v1) + (v2 + v3) — so the WebAssembly SIMD kernel (4 vectors per pass over a row, f32x4) and the
 * JavaScript fallback agree bit for bit, and each logit depends only on its own row of W: splitting V
 * into windows or slices never changes a result. float16 / bfloat16 weights are decoded exactly.
 * References: nostalgebraist, "interpreting GPT: the logit lens" (2020), for the use of the head on
 * intermediate layers.
 *
 * @param options - d, V, W's dtype and the block size.
 * @throws {InvalidParamsError} a size that is not a positive integer, or `backend: "wasm"` where
 *   WebAssembly SIMD is missing.
 *
 * @example
 * ```ts
 * const head = createLmHead({ d: 2, vocab: 3, dtype: "f32" });
 * head.setHidden(new Float32Array([1, 2]), 1);
 * const w = new Float32Array([1, 0, 0, 1, 1, 1]); // 3 rows of d = 2
 * head.push(new Uint8Array(w.buffer), 0, 0, 3);
 * head.logits; // [1, 2, 3]
 * ```
 */
export function createLmHead(options: LmHeadOptions): LmHead {
  const { d, vocab, dtype } = options;
  const maxCount = options.maxCount ?? 16;
  const windowBytes = options.windowBytes ?? 512 * 1024;
  const positive = (name: string, v: number, max: number) => {
    if (!(Number.isSafeInteger(v) && v >= 1 && v <= max))
      throw new InvalidParamsError(name, `must be an integer in [1, ${max}] (got ${v})`);
  };
  positive("d", d, 1 << 20);
  positive("vocab", vocab, 1 << 24);
  positive("maxCount", maxCount, 4096);
  positive("windowBytes", windowBytes, 1 << 30);
  if (!Object.hasOwn(ELEMENT_BYTES, dtype))
    throw new InvalidParamsError("dtype", `must be "f32", "f16" or "bf16" (got ${JSON.stringify(dtype)})`);
  const choice = options.backend ?? "auto";
  let be: LmHeadBackend | null = choice === "js" ? null : createLmHeadWasm();
  if (be === null && choice === "wasm")
    throw new InvalidParamsError(
      "backend",
      'WebAssembly SIMD is not available in this runtime; use "auto" or "js"',
    );
  be ??= createLmHeadFallback();
  const backend = be;

  const rowBytes = d * ELEMENT_BYTES[dtype];
  const windowRows = Math.max(1, Math.min(vocab, Math.floor(windowBytes / rowBytes)));
  const hs = (d + 7) & ~7;
  const align = (n: number) => (n + 63) & ~63;
  const hAddr = backend.base;
  const wAddr = align(hAddr + maxCount * hs * 4);
  const oAddr = align(wAddr + windowRows * rowBytes + 32); // 32 spare bytes: the tail loads
  backend.ensureBytes(oAddr + maxCount * windowRows * 4);
  const logits = new Float32Array(maxCount * vocab);
  let count = 0;

  const head: LmHead = {
    backend: backend.name,
    windowRows,
    logits,
    setHidden(hidden, n, offset = 0) {
      if (!(Number.isSafeInteger(n) && n >= 1 && n <= maxCount))
        throw new InvalidParamsError("count", `must be an integer in [1, maxCount = ${maxCount}] (got ${n})`);
      if (!(Number.isSafeInteger(offset) && offset >= 0 && offset + n * d <= hidden.length))
        throw new InvalidParamsError(
          "hidden",
          `holds ${hidden.length} floats; ${n} vectors of d = ${d} from offset ${offset} need ${offset + n * d}`,
        );
      const f = new Float32Array(backend.buffer());
      const x = hAddr >> 2;
      f.fill(0, x, x + n * hs); // zero padding past d
      for (let p = 0; p < n; p++) f.set(hidden.subarray(offset + p * d, offset + (p + 1) * d), x + p * hs);
      count = n;
    },
    window() {
      return new Uint8Array(backend.buffer(), wAddr, windowRows * rowBytes);
    },
    pushWindow(rowStart, rows) {
      if (count === 0) throw new InvalidParamsError("hidden", "call setHidden before pushing rows of W");
      if (!(Number.isSafeInteger(rows) && rows >= 0 && rows <= windowRows))
        throw new InvalidParamsError(
          "rows",
          `must be an integer in [0, windowRows = ${windowRows}] (got ${rows})`,
        );
      if (!(Number.isSafeInteger(rowStart) && rowStart >= 0 && rowStart + rows <= vocab))
        throw new InvalidParamsError(
          "rowStart",
          `rows ${rowStart} .. ${rowStart + rows} lie outside [0, V = ${vocab})`,
        );
      if (rows === 0) return;
      backend.rows(LM_HEAD_DTYPE[dtype], hAddr, hs, count, d, wAddr, rows, oAddr, windowRows);
      const f = new Float32Array(backend.buffer());
      const ox = oAddr >> 2;
      for (let p = 0; p < count; p++)
        logits.set(f.subarray(ox + p * windowRows, ox + p * windowRows + rows), p * vocab + rowStart);
    },
    push(bytes, byteOffset, rowStart, rows) {
      if (
        !(Number.isSafeInteger(byteOffset) && byteOffset >= 0 && byteOffset + rows * rowBytes <= bytes.length)
      )
        throw new InvalidParamsError(
          "bytes",
          `holds ${bytes.length} bytes; ${rows} rows of ${rowBytes} bytes from byte ${byteOffset} need ${byteOffset + rows * rowBytes}`,
        );
      for (let done = 0; done < rows; ) {
        const n = Math.min(windowRows, rows - done);
        const at = byteOffset + done * rowBytes;
        head.window().set(bytes.subarray(at, at + n * rowBytes));
        head.pushWindow(rowStart + done, n);
        done += n;
      }
    },
    top(p, n, outIds, outLogprobs) {
      if (!(Number.isSafeInteger(p) && p >= 0 && p < count))
        throw new InvalidParamsError("p", `must be an integer in [0, ${count}) (got ${p})`);
      return topLogprobs({
        data: logits,
        offset: p * vocab,
        length: vocab,
        n,
        outIds,
        outLogprobs,
        outOffset: 0,
        row: p,
      });
    },
  };
  return head;
}
