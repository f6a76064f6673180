import { describe, expect, it } from "vitest";
import { SlabPool } from "../src/slabPool.js";

describe("SlabPool", () => {
  it("hands out shared buffers of at least the asked size, rounded up to a power of two ≥ 64 KiB", () => {
    const pool = new SlabPool(2);
    const s = pool.acquire(100_000);
    expect(s).toBeInstanceOf(SharedArrayBuffer);
    expect(s.byteLength).toBe(131_072);
    expect(pool.acquire(1).byteLength).toBe(65_536);
    expect(pool.acquire(65_537).byteLength).toBe(131_072);
  });

  it("reuses a released slab, the smallest that fits, instead of allocating", () => {
    const pool = new SlabPool(4);
    const big = pool.acquire(100_000);
    const small = pool.acquire(10_000);
    pool.release(big);
    pool.release(small);
    expect(pool.acquire(9000)).toBe(small);
    expect(pool.acquire(50_000)).toBe(big);
    expect(pool.allocated).toBe(2);
  });

  it("keeps at most maxFree idle slabs, dropping the smallest", () => {
    const pool = new SlabPool(1);
    const a = pool.acquire(4096);
    const b = pool.acquire(65536);
    pool.release(a);
    pool.release(b);
    expect(pool.acquire(100)).toBe(b);
    expect(pool.acquire(100)).not.toBe(a);
  });

  it("falls back to a plain SharedArrayBuffer when the engine refuses a shared WebAssembly memory", () => {
    const wasm = (globalThis as unknown as { WebAssembly: { Memory: unknown } }).WebAssembly;
    const real = wasm.Memory;
    let refused = 0;
    wasm.Memory = class {
      constructor() {
        refused++;
        throw new RangeError("WebAssembly.Memory(): could not allocate memory");
      }
    };
    try {
      const s = new SlabPool(1).acquire(100_000);
      expect(s).toBeInstanceOf(SharedArrayBuffer);
      expect(s.byteLength).toBe(131_072);
      expect(refused).toBe(1);
    } finally {
      wasm.Memory = real;
    }
  });
});
