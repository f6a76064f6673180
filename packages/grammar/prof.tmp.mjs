import { compileGrammar, TokenTrie } from "@logitstream/grammar";
import { BpeTokenizer } from "@logitstream/ngram";

const tok = new BpeTokenizer();
let t0 = performance.now();
const trie = new TokenTrie(tok, new Set([tok.endOfTextId]));
console.log("trie", performance.now() - t0, "nodes", trie.size);
for (const [name, schema] of [
  ["str", { type: "string" }],
  ["str20", { type: "string", maxLength: 20 }],
  ["int", { type: "integer", minimum: 0, maximum: 150 }],
]) {
  t0 = performance.now();
  const g = compileGrammar({ jsonSchema: schema }, tok, { eosId: tok.endOfTextId, precompute: 0 });
  const t1 = performance.now();
  const n = g.precompute(100000);
  const t2 = performance.now();
  console.log(
    name,
    "compile",
    (t1 - t0).toFixed(1),
    "precompute",
    (t2 - t1).toFixed(1),
    "masks",
    n,
    "states",
    g.automaton.stateCount,
  );
  const s1 = g.automaton.walk(g.start, new TextEncoder().encode('"ab'));
  t0 = performance.now();
  for (let i = 0; i < 20; i++) g.computeMaskForBench?.(s1);
}
