import { GrammarSyntaxError, GrammarTooLargeError } from "./errors.js";
import type { GrammarDefinition, GrammarExpr } from "./grammarExpr.js";
import { utf8Sequences } from "./utf8Sequences.js";

/** Kind of a position in {@link FlatGrammar}: match one byte of a set. */
export const TERM = 0;
/** Kind of a position: call a rule. */
export const CALL = 1;
/** Kind of a position: the end of an alternative (return to the caller). */
export const END = 2;

/**
 * The flat rule table the byte automaton runs (llama.cpp's flattened `llama_grammar_element` rules,
 * over bytes instead of code points). Position `p` is one symbol of one alternative; each alternative
 * ends with an `END` position.
 */
export interface FlatGrammar {
  /** Per position: TERM, CALL or END. */
  readonly kind: Uint8Array;
  /** Per position: the byte-set index (TERM) or the rule id (CALL). */
  readonly arg: Int32Array;
  /** Alternatives of rule r start at `altStarts[ruleAlts[r] .. ruleAlts[r + 1])`. */
  readonly ruleAlts: Int32Array;
  readonly altStarts: Int32Array;
  /** 256-bit membership sets, 8 words each: byte b is in set s iff bit b of words 8s.. is 1. */
  readonly byteSets: Uint32Array;
  readonly root: number;
  readonly ruleNames: readonly string[];
}

/** Bounds on the lowered grammar's size. */
export interface LowerLimits {
  /** Most symbols in all alternatives together (default 200,000). */
  maxElements?: number;
}

type Sym = number; // ≥ 0: 2·setIndex (TERM) or 2·rule + 1 (CALL)

/**
 * Lowers a grammar of expressions to the flat byte-level rule table: code-point classes become
 * alternatives of UTF-8 byte-range sequences, repetitions become right-recursive helper rules (a
 * tail call, so the automaton's stack does not grow with the count), bounded ones nested optionals.
 *
 * Rejects undefined rules and left recursion (which a top-down stack machine cannot run), and any
 * grammar larger than `maxElements` symbols, before building it.
 *
 * @param def - Named rules and the root.
 * @param limits - Size bounds.
 * @returns The flat table.
 * @example
 * ```ts
 * lowerGrammar({ rules: new Map([["root", literal("hi")]]), root: "root" }).ruleNames; // ["root"]
 * ```
 */
export function lowerGrammar(def: GrammarDefinition, limits: LowerLimits = {}): FlatGrammar {
  const maxElements = limits.maxElements ?? 200_000;
  const names: string[] = [];
  const ids = new Map<string, number>();
  const bodies: Sym[][][] = [];
  const setIds = new Map<string, number>();
  const sets: number[] = [];
  let elements = 0;
  const helperOf = new WeakMap<GrammarExpr, number>();

  const grow = (n: number): void => {
    elements += n;
    if (elements > maxElements) {
      throw new GrammarTooLargeError(
        `maxElements = ${maxElements}`,
        "the grammar has too many symbols once repetitions are expanded",
      );
    }
  };
  const ruleId = (name: string): number => {
    let id = ids.get(name);
    if (id === undefined) {
      if (!def.rules.has(name))
        throw new GrammarSyntaxError("grammar", 0, `rule "${name}" is used but never defined`);
      id = names.length;
      ids.set(name, id);
      names.push(name);
      bodies.push([]);
      bodies[id] = lowerAlts(def.rules.get(name)!, name);
    }
    return id;
  };
  const helper = (base: string, alts: () => Sym[][]): number => {
    const id = names.length;
    names.push(`${base}-${id}`);
    bodies.push([]);
    bodies[id] = alts();
    return id;
  };
  const byteSet = (ranges: readonly number[]): Sym => {
    const key = ranges.join(",");
    let id = setIds.get(key);
    if (id === undefined) {
      id = sets.length / 8;
      setIds.set(key, id);
      for (let w = 0; w < 8; w++) sets.push(0);
      for (let i = 0; i < ranges.length; i += 2) {
        for (let b = ranges[i]!; b <= ranges[i + 1]!; b++) sets[id * 8 + (b >> 5)]! |= 1 << (b & 31);
      }
    }
    return 2 * id;
  };
  const lowerAlts = (e: GrammarExpr, base: string): Sym[][] => {
    if (e.kind === "alt") return e.items.flatMap((x) => lowerAlts(x, base));
    if (e.kind === "chars") {
      const seqs = charSequences(e.ranges);
      if (seqs.length !== 1) {
        return seqs.map((s) => {
          grow(s.length + 1);
          return s.map((r) => byteSet(r));
        });
      }
    }
    const out: Sym[] = [];
    lowerSeq(e, base, out);
    grow(1);
    return [out];
  };
  const lowerSeq = (e: GrammarExpr, base: string, out: Sym[]): void => {
    switch (e.kind) {
      case "bytes":
        grow(1);
        out.push(byteSet(e.ranges));
        return;
      case "chars": {
        const seqs = charSequences(e.ranges);
        if (seqs.length === 1) {
          grow(seqs[0]!.length);
          for (const r of seqs[0]!) out.push(byteSet(r));
        } else {
          grow(1);
          out.push(2 * helperFor(e, base) + 1);
        }
        return;
      }
      case "seq":
        for (const x of e.items) lowerSeq(x, base, out);
        return;
      case "alt":
        grow(1);
        out.push(2 * helperFor(e, base) + 1);
        return;
      case "ref":
        grow(1);
        out.push(2 * ruleId(e.name) + 1);
        return;
      case "repeat":
        lowerRepeat(e, base, out);
        return;
    }
  };
  const helperFor = (e: GrammarExpr, base: string): number => {
    let id = helperOf.get(e);
    if (id === undefined) {
      id = helper(base, () => lowerAlts(e, base));
      helperOf.set(e, id);
    }
    return id;
  };
  const itemSym = (e: GrammarExpr, base: string): Sym => {
    if (e.kind === "bytes") return byteSet(e.ranges);
    if (e.kind === "ref") return 2 * ruleId(e.name) + 1;
    if (e.kind === "chars") {
      const seqs = charSequences(e.ranges);
      if (seqs.length === 1 && seqs[0]!.length === 1) return byteSet(seqs[0]![0]!);
    }
    return 2 * helperFor(e, base) + 1;
  };
  const lowerRepeat = (e: Extract<GrammarExpr, { kind: "repeat" }>, base: string, out: Sym[]): void => {
    const { min, max } = e;
    // Checked before anything is built, so x{1000000000} fails at once instead of after allocating.
    grow(min + (Number.isFinite(max) ? 3 * (max - min) : 3));
    if (max === 0) return;
    const x = itemSym(e.item, base);
    for (let i = 0; i < min; i++) out.push(x);
    if (max === min) return;
    if (!Number.isFinite(max)) {
      // star ::= x star | ε — right recursion in tail position: constant stack depth.
      const id = names.length;
      names.push(`${base}-${id}`);
      bodies.push([[x, 2 * id + 1], []]);
      out.push(2 * id + 1);
      return;
    }
    // opt_k ::= x opt_{k-1} | ε, nested (max − min) deep: llama.cpp's "x{0,N}" form, not N separate
    // optionals (which would let the automaton carry N alternative stacks at once).
    let inner = -1;
    for (let k = 1; k <= max - min; k++) {
      const id = names.length;
      names.push(`${base}-${id}`);
      bodies.push([inner < 0 ? [x] : [x, 2 * inner + 1], []]);
      inner = id;
    }
    out.push(2 * inner + 1);
  };

  const root = ruleId(def.root);
  checkProductive(bodies, names);
  checkLeftRecursion(bodies, names);
  return flatten(bodies, names, sets, root);
}

const charCache = new Map<string, [number, number][][]>();

/** UTF-8 sequences of a normalized code-point set (memoized: the same classes recur across rules). */
function charSequences(ranges: readonly number[]): [number, number][][] {
  const key = ranges.join(",");
  let seqs = charCache.get(key);
  if (seqs === undefined) {
    seqs = [];
    for (let i = 0; i < ranges.length; i += 2) seqs.push(...utf8Sequences(ranges[i]!, ranges[i + 1]!));
    if (charCache.size < 256) charCache.set(key, seqs);
  }
  return seqs;
}

/**
 * Every rule must derive some finite string: a rule that only calls itself (`a ::= "x" a`) would leave
 * the automaton in states that look alive but can never end — the sampler could walk into them.
 */
function checkProductive(bodies: Sym[][][], names: string[]): void {
  const n = bodies.length;
  const productive = new Uint8Array(n);
  for (let changed = true; changed; ) {
    changed = false;
    for (let r = 0; r < n; r++) {
      if (productive[r]) continue;
      if (bodies[r]!.some((alt) => alt.every((s) => (s & 1) === 0 || productive[s >> 1]))) {
        productive[r] = 1;
        changed = true;
      }
    }
  }
  for (let r = 0; r < n; r++) {
    if (!productive[r] && bodies[r]!.length > 0) {
      throw new GrammarSyntaxError(
        "grammar",
        0,
        `rule "${names[r]}" can never finish: every alternative calls a rule that never ends (add a non-recursive alternative)`,
      );
    }
  }
}

function checkLeftRecursion(bodies: Sym[][][], names: string[]): void {
  const n = bodies.length;
  const nullable = new Uint8Array(n);
  for (let changed = true; changed; ) {
    changed = false;
    for (let r = 0; r < n; r++) {
      if (nullable[r]) continue;
      if (bodies[r]!.some((alt) => alt.every((s) => (s & 1) === 1 && nullable[s >> 1]))) {
        nullable[r] = 1;
        changed = true;
      }
    }
  }
  // Edges r → q when r can call q before any byte is consumed; `pushes` when the call is not the
  // last symbol of its alternative (the automaton pushes a return frame). A cycle of such calls made
  // only of tail calls comes back with the same stack, which the automaton's visited set stops (as
  // in (a*)*); a cycle with a pushing call grows the stack forever: left recursion.
  const edges: number[][] = bodies.map(() => []);
  const pushing: [number, number][] = [];
  for (let r = 0; r < n; r++) {
    for (const alt of bodies[r]!) {
      for (let i = 0; i < alt.length; i++) {
        const s = alt[i]!;
        if ((s & 1) === 0) break;
        edges[r]!.push(s >> 1);
        if (i < alt.length - 1) pushing.push([r, s >> 1]);
        if (!nullable[s >> 1]) break;
      }
    }
  }
  const mark = new Int32Array(n).fill(-1);
  for (let e = 0; e < pushing.length; e++) {
    const [from, to] = pushing[e]!;
    // Can `to` reach `from` through left calls?
    const stack = [to];
    mark[to] = e;
    while (stack.length > 0) {
      const r = stack.pop()!;
      if (r === from) {
        throw new GrammarSyntaxError(
          "grammar",
          0,
          `rule "${names[from]}" is left-recursive (it can call itself before matching any character); rewrite it with repetition, e.g. a ::= b ("x" b)*`,
        );
      }
      for (const q of edges[r]!) {
        if (mark[q] !== e) {
          mark[q] = e;
          stack.push(q);
        }
      }
    }
  }
}

function flatten(bodies: Sym[][][], names: string[], sets: number[], root: number): FlatGrammar {
  let total = 0;
  let nAlts = 0;
  for (const alts of bodies) {
    nAlts += alts.length;
    for (const alt of alts) total += alt.length + 1;
  }
  const kind = new Uint8Array(total);
  const arg = new Int32Array(total);
  const ruleAlts = new Int32Array(bodies.length + 1);
  const altStarts = new Int32Array(nAlts);
  let p = 0;
  let a = 0;
  for (let r = 0; r < bodies.length; r++) {
    ruleAlts[r] = a;
    for (const alt of bodies[r]!) {
      altStarts[a++] = p;
      for (const s of alt) {
        kind[p] = (s & 1) === 0 ? TERM : CALL;
        arg[p] = s >> 1;
        p++;
      }
      kind[p] = END;
      arg[p] = -1;
      p++;
    }
  }
  ruleAlts[bodies.length] = a;
  return { kind, arg, ruleAlts, altStarts, byteSets: Uint32Array.from(sets), root, ruleNames: names };
}
