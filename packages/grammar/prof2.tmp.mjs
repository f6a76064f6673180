import { compileGrammar } from "@logitstream/grammar";
import { BpeTokenizer } from "@logitstream/ngram";

const tok = new BpeTokenizer();
const g = compileGrammar({ jsonSchema: { type: "string" } }, tok, { eosId: tok.endOfTextId, precompute: 0 });
const s1 = g.automaton.walk(g.start, new TextEncoder().encode('"ab'));
for (let r = 0; r < 5; r++) {
  g.masks = [];
  const t0 = performance.now();
  g.mask(s1);
  console.log("mask walk ms", (performance.now() - t0).toFixed(2));
}
g.masks = [];
let t0 = performance.now();
g.precompute(1000);
console.log("precompute", performance.now() - t0);
g.masks = [];
t0 = performance.now();
g.precompute(1000);
console.log("precompute again", performance.now() - t0);
