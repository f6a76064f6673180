// Helper of input.bench.mjs (not a bench itself): the CLI's input stage alone on stdin — wire's framer
// cutting chunks into recycled page-aligned memory, as `score` does before the pool — read through the
// CLI's PipeReader, or with `--stream` through process.stdin (how a pipe was read before the PipeReader).
// Usage: cat rows.f32 | node bench/frameStdin.mjs f32 VOCAB [--stream]; cat rows.npy | node bench/frameStdin.mjs npy
import { frameChunks } from "@logitstream/wire";
import { PipeReader } from "../dist/internal.js";

const [format, vocab] = process.argv.slice(2);
const stream = process.argv.includes("--stream");
// Four 4 MiB + 64 KiB slabs used in turn, like the pool's recycled slabs (a fresh buffer per chunk would
// measure page faults, not reading).
const slabs = Array.from({ length: 4 }, () => new Uint8Array(new WebAssembly.Memory({ initial: 65 }).buffer));
let next = 0;
const alloc = (n) => slabs[next++ % slabs.length].subarray(0, n);
const opts = format === "npy" ? { format, alloc } : { format, vocab: Number(vocab), alloc };
let rows = 0;
for await (const chunk of frameChunks(stream ? process.stdin : new PipeReader(0), opts)) rows += chunk.rows;
process.stdout.write(`${rows}\n`);
