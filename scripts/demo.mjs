// `pnpm demo`: the main job, for real, with the built `logitstream` command.
//   1. `logitstream generate` streams text from the embedded n-gram model, token by token.
//   2. The embedded model's logits at every position of a sentence are written to a msgpack file (one
//      frame per token, the token itself as `target`), and `logitstream score` reads them back: each
//      token's log-probability and rank, then the summary line with the sentence's perplexity.
// Every command is printed before its output as you can paste it at the repository root
// (`pnpm logitstream …` runs the built command; the msgpack file is kept for that).
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../apps/cli/dist/main.js", import.meta.url));
// The packages as built in this checkout (the root package does not depend on them).
const { BpeTokenizer, loadModel } = await import("../packages/ngram/dist/index.js");
const { encodeMsgpack } = await import("../packages/wire/dist/index.js");

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

/** An argument as a POSIX shell reads it back: plain when it can be, else in single quotes. */
const shellQuote = (a) => (/^[\w./:=+-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);

/** Prints `$ pnpm logitstream ARGS` and runs it with our stdout, so its output streams as it is produced. */
function logitstream(args) {
  console.log(bold(`$ pnpm logitstream ${args.map(shellQuote).join(" ")}`));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`logitstream ${args[0]} exited ${code}`)),
    );
  });
}

console.log("1. Generate text with the embedded model (Kneser-Ney 3-gram over the cl100k BPE vocabulary):\n");
await logitstream([
  "generate",
  "The history of",
  "--max-tokens",
  "40",
  "--temperature",
  "0.8",
  "--top-k",
  "40",
  "--seed",
  "4",
]);

const sentence = "The committee said that the new law would not change the way the city collects its taxes.";
const model = loadModel();
const tokenizer = new BpeTokenizer();
const ids = tokenizer.encode(sentence);
const V = model.vocabSize;
const data = new Float32Array(ids.length * V);
for (let i = 0; i < ids.length; i++) data.set(model.next(ids.slice(0, i)), i * V); // logits before token i
// A fixed place, kept after the demo, so the printed `score` command can be pasted as it is.
const dir = join(tmpdir(), "logitstream-demo");
mkdirSync(dir, { recursive: true });
const file = join(dir, "sentence.msgpack");
writeFileSync(file, encodeMsgpack({ rows: ids.length, vocab: V, data, targets: ids }));

console.log(
  `\n2. Score a sentence: the model's logits before each of its ${ids.length} tokens, V = ${V.toLocaleString("en-US")},`,
);
console.log(
  `   written to ${file} (${(data.byteLength / 1e6).toFixed(1)} MB, msgpack, target = the actual token):`,
);
const decoder = new TextDecoder();
console.log(
  `   ${ids.map((t, i) => `${i}:${JSON.stringify(decoder.decode(tokenizer.tokenBytes(t)))}`).join(" ")}\n`,
);
await logitstream(["score", file]);

console.log(`
Next: pnpm logitstream --help   (every command has --help; pnpm --silent logitstream … hides pnpm's own "$ node …" line)
      echo '[2.0, 1.0, 0.1]' | pnpm --silent logitstream sample --top-p 0.9 --seed 7
      docs/ARCHITECTURE.md for the packages' APIs; pnpm bench for the benchmark tables.`);
