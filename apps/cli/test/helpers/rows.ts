// Small fixtures whose records are exact: every exp() the math needs is exp(0) = 1 or underflows next
// to 1 (exp(−200) ≈ 1e−87), so the float64 reference and any correct implementation agree to the bit.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Four rows over a vocabulary of 4. */
export const A: number[][] = [
  [0, 0, 0, 0],
  [-200, 0, -200, -200],
  [0, -200, 0, -200],
  [-200, -200, -200, 5],
];

/** Targets for A: logprobs −ln 4, 0, −200 − ln 2, 0; ranks 1, 1, 3, 1. */
export const A_TARGETS = [2, 1, 1, 3];

/** Uniform rows: entropy exactly ln V. */
export const UNIFORM: number[][] = [
  [1, 1, 1, 1],
  [3, 3, 3, 3],
];

/** One JSON record per line, compact, as the contract's NDJSON output. */
export function ndjson(records: readonly object[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join("");
}

/** A fresh temporary directory for fixture files. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "logitstream-cli-"));
}

/** Writes a fixture file and returns its path. */
export function writeFixture(dir: string, name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** A deterministic pseudo-random generator for large inputs (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `rows` random rows of `vocab` logits in [−8, 8), as float32-exact numbers. */
export function randomRows(rows: number, vocab: number, seed: number): number[][] {
  const rnd = mulberry32(seed);
  return Array.from({ length: rows }, () => Array.from({ length: vocab }, () => Math.fround(rnd() * 16 - 8)));
}
