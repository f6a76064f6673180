// Helper of input.bench.mjs (not a bench itself): the CLI's input stage alone on stdin — wire's framer
// cutting chunks into recycled page-aligned memory, as `score` does before the pool — read through the
// CLI's PipeReader (binary rows filled straight into that memory: wire's FillableInput), with `--pieces`
// through the same PipeReader as pieces only (each piece of its ring copied into the chunks, as before
// fillInto), or with `--stream` through process.stdin (how a pipe was read before the PipeReader).
// `--bare` only reads the pipe, 1 MiB at a time with blocking reads, and frames nothing: the floor of any
// Node program on that pipe (start-up included), to set the other rows against.
// Usage: cat rows.f32 | node bench/frameStdin.mjs f32 VOCAB [--pieces | --stream | --bare];
// cat rows.npy | node bench/frameStdin.mjs npy [...]
import { readSync } from "node:fs";

const [format, vocab] = process.argv.slice(2);
if (process.argv.includes("--bare")) {
  const buf = new Uint8Array(1 << 20);
  let bytes = 0;
  for (;;) {
    let n;
    try {
      n = readSync(0, buf);
    } catch (err) {
      if (err.code === "EAGAIN") continue; // stdin left non-blocking by the shell: try again
      throw err;
    }
    if (n === 0) break;
    bytes += n;
  }
  process.stdout.write(`${bytes}\n`);
  process.exit(0);
}
// Imported only here: the bare reader's time is a floor, so it must not pay for loading them.
const { frameChunks } = await import("@logitstream/wire");
const { PipeReader } = await import("../dist/internal.js");
const stream = process.argv.includes("--stream");
// Four 4 MiB + 64 KiB slabs used in turn, like the pool's recycled slabs (a fresh buffer per chunk would
// measure page faults, not reading).
const slabs = Array.from({ length: 4 }, () => new Uint8Array(new WebAssembly.Memory({ initial: 65 }).buffer));
let next = 0;
const alloc = (n) => slabs[next++ % slabs.length].subarray(0, n);
const opts = format === "npy" ? { format, alloc } : { format, vocab: Number(vocab), alloc };
let rows = 0;
/** The reader's pieces alone: an async iterable without `fillInto`, so wire copies every piece. */
async function* piecesOf(reader) {
  yield* reader;
}
const input = stream
  ? process.stdin
  : process.argv.includes("--pieces")
    ? piecesOf(new PipeReader(0))
    : new PipeReader(0);
for await (const chunk of frameChunks(input, opts)) rows += chunk.rows;
process.stdout.write(`${rows}\n`);
