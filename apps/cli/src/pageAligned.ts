// The one WebAssembly API used here, typed by hand: the packages compile with `lib: ES2023`, which
// declares no WebAssembly.
type MemoryCtor = new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer };

const WASM_PAGE = 65_536;

/**
 * `bytes` (a multiple of 64 KiB) of zeroed memory starting on a page boundary: the kernel copies a read
 * into page-aligned memory several times faster on these VMs than 16 bytes past one, where an ordinary
 * ArrayBuffer's memory starts (docs/PERFORMANCE.md). A WebAssembly.Memory's buffer is mapped
 * page-aligned. It reserves address space beyond its size (nothing resident); where that is refused
 * (`ulimit -v`), an ordinary buffer is used instead.
 */
export function pageAligned(bytes: number): Uint8Array {
  const Memory = (globalThis as { WebAssembly?: { Memory: MemoryCtor } }).WebAssembly?.Memory;
  const pages = bytes / WASM_PAGE;
  if (Memory !== undefined && Number.isInteger(pages) && pages <= 65_536) {
    try {
      return new Uint8Array(new Memory({ initial: pages, maximum: pages }).buffer);
    } catch {
      // fall through
    }
  }
  return new Uint8Array(bytes);
}
