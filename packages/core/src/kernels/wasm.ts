/**
 * Instantiates the embedded WebAssembly SIMD kernels (no files, no Node APIs). Returns null where
 * WebAssembly or its SIMD extension is missing, or where a synchronous compile is refused (browsers
 * may refuse `new WebAssembly.Module` of large modules on the main thread); `compileWasmBackend`
 * does the same asynchronously.
 */
import type { KernelBackend, KernelExports } from "./backend.js";
import { KERNELS_WASM_BASE64 } from "./wasmBytes.generated.js";

// Minimal typings: core compiles with `lib: ES2023` and `types: []`, which declare no WebAssembly.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  compile(bytes: Uint8Array): Promise<object>;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decodes standard base64 (no line breaks). */
export function decodeBase64(s: string): Uint8Array {
  const map = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) map[B64.charCodeAt(i)] = i;
  let len = s.length;
  while (len > 0 && s.charCodeAt(len - 1) === 61) len--; // '='
  const out = new Uint8Array((len * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < len; i++) {
    acc = (acc << 6) | map[s.charCodeAt(i)]!;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

function wasmApi(): WasmApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
}

let bytesCache: Uint8Array | undefined;
function moduleBytes(): Uint8Array {
  if (bytesCache === undefined) bytesCache = decodeBase64(KERNELS_WASM_BASE64);
  return bytesCache;
}

function backendFrom(instance: { exports: Record<string, unknown> }): KernelBackend {
  const k = instance.exports as unknown as KernelExports & { memory: WasmMemory };
  const memory = k.memory;
  return {
    name: "wasm-simd",
    k,
    buffer: () => memory.buffer,
    ensureBytes(bytes: number) {
      const have = memory.buffer.byteLength;
      if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
    },
  };
}

/** True when this runtime validates the embedded SIMD module. */
function wasmSimdSupported(): boolean {
  const WA = wasmApi();
  if (WA === undefined || typeof WA.validate !== "function") return false;
  try {
    return WA.validate(moduleBytes());
  } catch {
    return false;
  }
}

/** The SIMD backend, compiled synchronously, or null when unavailable or refused. */
export function createWasmBackend(): KernelBackend | null {
  if (!wasmSimdSupported()) return null;
  const WA = wasmApi()!;
  try {
    return backendFrom(new WA.Instance(new WA.Module(moduleBytes()), {}));
  } catch {
    return null;
  }
}

/** The SIMD backend compiled asynchronously (for runtimes that refuse a synchronous compile). */
export async function compileWasmBackend(): Promise<KernelBackend | null> {
  if (!wasmSimdSupported()) return null;
  const WA = wasmApi()!;
  try {
    const mod = await WA.compile(moduleBytes());
    return backendFrom(new WA.Instance(mod, {}));
  } catch {
    return null;
  }
}
