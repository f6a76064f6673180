/** The one member of Node's `Buffer` this file uses (looked up on `globalThis`: core imports nothing from Node). */
interface UninitializedAllocator {
  allocUnsafeSlow(size: number): Uint8Array;
}

const nodeBuffer = (globalThis as { Buffer?: UninitializedAllocator }).Buffer;

/**
 * Below this many floats a plain `new Float32Array` is as cheap (V8 keeps tiny arrays on its heap) and
 * the uninitialized path is not worth a second allocation call.
 */
const UNINITIALIZED_FROM = 1024;

/**
 * A new `Float32Array` of `length` elements that the CALLER MUST WRITE IN FULL before anyone sees it:
 * the output of the friendly forms (`softmax(row)`, `logSoftmax(row)`, …), which a strided kernel then
 * fills element by element.
 *
 * Why: `new Float32Array(V)` asks the allocator for zeroed memory, and for a 512 KB row on Node that
 * memory arrives as fresh pages — measured here at ~55 page faults and ~4–5 ns per element in a
 * loop, three times the kernel itself. Node's `Buffer.allocUnsafeSlow` takes uninitialized memory that
 * the allocator reuses (≈ 10 faults per call). Every call gets its own `ArrayBuffer` of exactly
 * `4 · length` bytes at offset 0, so results never alias each other and a kept result retains only
 * its own bytes. (A shared slab carved into rows, as Node's small-Buffer pool does, was measured and
 * rejected: each new multi-megabyte slab is fresh memory too, so it paid the same faults per byte, and
 * any one kept row would pin the whole slab.) Outside Node (browsers, Deno without the Buffer global)
 * this is `new Float32Array(length)`.
 *
 * @param length - Element count, integer ≥ 0.
 * @returns An array whose contents are unspecified (not zeroed) when the Node path is taken.
 * @example
 * ```ts
 * const out = allocOutput(row.length);
 * softmaxStrided({ data: row, out }); // writes every element
 * ```
 */
export function allocOutput(length: number): Float32Array {
  if (nodeBuffer !== undefined && length >= UNINITIALIZED_FROM) {
    const bytes = nodeBuffer.allocUnsafeSlow(4 * length);
    return new Float32Array(bytes.buffer, bytes.byteOffset, length);
  }
  return new Float32Array(length);
}
