import type { Tokenizer } from "@logitstream/core";
import type { ByteAutomaton } from "../src/ByteAutomaton.js";
import { DEAD } from "../src/ByteAutomaton.js";
import type { CompiledGrammar } from "../src/CompiledGrammar.js";

const enc = new TextEncoder();

/** Whether the automaton accepts exactly `text` (UTF-8). */
export function matches(a: ByteAutomaton, text: string | Uint8Array): boolean {
  const s = a.walk(a.start, typeof text === "string" ? enc.encode(text) : text);
  return s !== DEAD && a.accepts(s);
}

/** Whether `text` is a prefix of some match. */
export function isPrefix(a: ByteAutomaton, text: string | Uint8Array): boolean {
  return a.walk(a.start, typeof text === "string" ? enc.encode(text) : text) !== DEAD;
}

/**
 * A small vocabulary for tests: all 256 single bytes, then the given multi-byte strings (UTF-8), then
 * one token that is a partial UTF-8 sequence, then EOS (no bytes) last.
 */
export function testTokenizer(words: readonly string[]): Tokenizer & { eosId: number; texts: Uint8Array[] } {
  const texts: Uint8Array[] = [];
  for (let b = 0; b < 256; b++) texts.push(Uint8Array.of(b));
  for (const w of words) texts.push(enc.encode(w));
  texts.push(Uint8Array.of(0xe2, 0x82)); // the first two bytes of "€"
  texts.push(new Uint8Array(0));
  const eosId = texts.length - 1;
  return {
    vocabSize: texts.length,
    eosId,
    texts,
    tokenBytes: (id: number) => texts[id]!,
    encode: () => {
      throw new Error("not used");
    },
  };
}

/** Whether some byte string leads from `state` to acceptance (breadth first over the automaton). */
export function canFinish(a: ByteAutomaton, state: number, maxStates = 5000): boolean {
  const seen = new Set([state]);
  const queue = [state];
  while (queue.length > 0) {
    const s = queue.shift()!;
    if (a.accepts(s)) return true;
    for (let b = 0; b < 256; b++) {
      const t = a.next(s, b);
      if (t !== DEAD && !seen.has(t)) {
        if (seen.size > maxStates) return true; // unbounded (recursive) grammar: give up as live
        seen.add(t);
        queue.push(t);
      }
    }
  }
  return false;
}

const canFinishMemo = new WeakMap<ByteAutomaton, Map<number, boolean>>();

/**
 * A random byte string the automaton accepts (a random walk over allowed bytes that stops at an
 * accepting state with probability `stop`), or undefined when none is found within `maxLen` bytes.
 */
export function sampleMatch(
  a: ByteAutomaton,
  rand: () => number,
  stop = 0.3,
  maxLen = 200,
): Uint8Array | undefined {
  const out: number[] = [];
  let s = a.start;
  // Whether a state can finish does not change: each state's breadth-first search runs once per
  // automaton, not once per byte of every walk (that repetition was seconds for a regex with \w).
  const finishes = canFinishMemo.get(a) ?? new Map<number, boolean>();
  canFinishMemo.set(a, finishes);
  const finishesFrom = (t: number): boolean => {
    const known = finishes.get(t);
    if (known !== undefined) return known;
    const v = canFinish(a, t, 2000);
    finishes.set(t, v);
    return v;
  };
  while (out.length < maxLen) {
    if (a.accepts(s) && (rand() < stop || !a.canContinue(s))) return Uint8Array.from(out);
    const live: number[] = [];
    for (let b = 0; b < 256; b++)
      if (a.allowsByte(s, b) && a.next(s, b) !== DEAD && finishesFrom(a.next(s, b))) live.push(b);
    if (live.length === 0) return undefined;
    const b = live[Math.floor(rand() * live.length)]!;
    out.push(b);
    s = a.next(s, b);
  }
  return undefined;
}

/** A deterministic uniform [0, 1) generator (mulberry32) for walks driven by a fast-check seed. */
export function mulberry32(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = t;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The mask of `state` by its definition, token by token: every token whose bytes lead to a live state,
 * plus EOS when the state accepts (independent of the trie walk it checks).
 */
export function bruteForceMask(
  g: CompiledGrammar,
  tok: { vocabSize: number; eosId: number; texts: Uint8Array[] },
  state: number,
): Set<number> {
  const out = new Set<number>();
  for (let id = 0; id < tok.vocabSize; id++) {
    if (id === tok.eosId) {
      if (g.automaton.accepts(state)) out.add(id);
      continue;
    }
    const b = tok.texts[id]!;
    if (b.length > 0 && g.automaton.walk(state, b) !== DEAD) out.add(id);
  }
  return out;
}

/** The token ids set in a mask bitset. */
export function maskSet(bits: Uint32Array): Set<number> {
  const out = new Set<number>();
  for (let id = 0; id < bits.length * 32; id++) if ((bits[id >>> 5]! >>> (id & 31)) & 1) out.add(id);
  return out;
}
