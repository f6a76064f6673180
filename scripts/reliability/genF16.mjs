#!/usr/bin/env node
// Generator process for the bounded-memory tests: writes BYTES bytes of little-endian float16 logit
// rows of width VOCAB to stdout, produced on the fly (never stored), with backpressure.
//
//   node scripts/reliability/genF16.mjs BYTES VOCAB [SEED]
//
// Rows are deterministic: a block of 64 distinct rows is made once from SEED, and each copy of the
// block written gets a different first element in every row, so consecutive blocks differ.
// BYTES is rounded down to whole rows. Exits 0 when done, quietly when its reader goes away (EPIPE).
const [bytesArg, vocabArg, seedArg] = process.argv.slice(2);
const total = Number(bytesArg);
const V = Number(vocabArg);
const seed = Number(seedArg ?? 1) >>> 0;
if (!Number.isSafeInteger(total) || total < 0 || !Number.isSafeInteger(V) || V < 1) {
  process.stderr.write("usage: genF16.mjs BYTES VOCAB [SEED]\n");
  process.exit(2);
}
const rowBytes = 2 * V;
const rows = Math.floor(total / rowBytes);
const BLOCK_ROWS = Math.max(1, Math.min(64, Math.floor((4 << 20) / rowBytes)));

// mulberry32
let a = seed;
function rnd() {
  a = (a + 0x6d2b79f5) >>> 0;
  let t = a;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
// float16 bits of values k/16 for k in [-128, 128): exact in half precision, logits in [-8, 8).
function halfOf(k) {
  if (k === 0) return 0;
  const sign = k < 0 ? 0x8000 : 0;
  const x = Math.abs(k) / 16;
  const e = Math.floor(Math.log2(x));
  const m = (x / 2 ** e - 1) * 1024;
  return sign | ((e + 15) << 10) | m;
}
const HALF = Uint16Array.from({ length: 256 }, (_, i) => halfOf(i - 128));
const block = new Uint16Array(BLOCK_ROWS * V);
for (let i = 0; i < block.length; i++) block[i] = HALF[Math.floor(rnd() * 256)];

process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

let written = 0;
let copy = 0;
function pump() {
  while (written < rows) {
    const n = Math.min(BLOCK_ROWS, rows - written);
    const out = new Uint16Array(n * V);
    out.set(block.subarray(0, n * V));
    for (let r = 0; r < n; r++) out[r * V] = HALF[(copy + r) & 255];
    copy++;
    written += n;
    if (!process.stdout.write(new Uint8Array(out.buffer))) {
      process.stdout.once("drain", pump);
      return;
    }
  }
}
pump();
