/**
 * Room for the read buffer that replaces one a chunk of `used` bytes was detached from (`ByteSource.detach`):
 * a quarter more than the chunk, at most `maxChunkBytes`, plus one 64 KiB read. Chunks of text and msgpack
 * frames come in similar sizes, so the next one usually fits without the buffer growing again.
 */
export function readBufferReserve(used: number, maxChunkBytes: number): number {
  return Math.ceil(Math.min(maxChunkBytes, used) * 1.25) + 65536;
}
