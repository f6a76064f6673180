/**
 * Row-level entry points to the kernels, over whichever backend this runtime has: the WebAssembly
 * SIMD module when it validates, otherwise the bit-identical JavaScript fallback. Results never
 * depend on the backend, so switching (at load time, or later when an asynchronous compile
 * finishes) changes speed only.
 *
 * Data movement: a row is copied (`Float32Array.set`, memcpy speed) or decoded into the row region
 * of the backend's memory (`KernelMemory`, regions named in `MemoryLayout`), padded with -Infinity to
 * a multiple of 16; the regions grow as needed and are reused, so no call allocates per row apart
 * from small objects.
 *
 * One row, several questions: {@link loadRow} returns a {@link LoadedRow} handle; its methods ask
 * about that row without copying it again. Loading any other row (any kernel call of this module)
 * makes the handle stale, and a stale handle throws instead of answering about the wrong row.
 *
 * Validity: kernels fold the NaN / +Infinity / all-masked check into the max pass. Functions that
 * return `max` return it as found: when it is not finite (NaN, +Infinity, or -Infinity for an
 * empty or all-masked row) nothing was computed and the caller reports the error.
 */

import { fillLogprobs } from "../fillLogprobs.js";
import { portableLog } from "../portableLog.js";
import { createFallbackBackend } from "./fallback.js";
import { KernelMemory, type SumSequence } from "./kernelMemory.js";
import { compileWasmBackend, createWasmBackend } from "./wasm.js";

type Mode = "auto" | "js" | "wasm-simd";

/** Which backend runs the kernels (the module's only mutable state, with the nucleus sort keys). */
const selection: {
  mode: Mode;
  /** The memory of the backend in use; null until the next kernel call picks one. */
  active: KernelMemory | null;
  fallback: KernelMemory | null;
  /** undefined: not tried yet; null: not available. */
  wasm: KernelMemory | null | undefined;
  asyncTried: boolean;
} = { mode: "auto", active: null, fallback: null, wasm: undefined, asyncTried: false };

function pick(): KernelMemory {
  const sel = selection;
  if (sel.mode !== "js") {
    if (sel.wasm === undefined) {
      const b = createWasmBackend();
      sel.wasm = b === null ? null : new KernelMemory(b);
      if (b === null && !sel.asyncTried) {
        sel.asyncTried = true;
        // A runtime that refuses a synchronous compile may still compile asynchronously.
        void compileWasmBackend().then((compiled) => {
          if (compiled !== null) {
            sel.wasm = new KernelMemory(compiled);
            if (sel.mode !== "js") sel.active = sel.wasm;
          }
        });
      }
    }
    if (sel.wasm !== null) return sel.wasm;
    if (sel.mode === "wasm-simd") throw new Error("WebAssembly SIMD is not available in this runtime");
  }
  sel.fallback ??= new KernelMemory(createFallbackBackend());
  return sel.fallback;
}

/** The memory of the backend in use. */
function memory(): KernelMemory {
  selection.active ??= pick();
  return selection.active;
}

/** Which implementation runs the kernels: "wasm-simd" or "js" (identical results, speed differs). */
export function kernelBackend(): "wasm-simd" | "js" {
  return memory().backend.name;
}

/**
 * Test hook: force the JavaScript fallback ("js"), require the SIMD module ("wasm-simd"), or let
 * the runtime choose ("auto", the default). Not part of the public API.
 */
export function setKernelBackend(m: Mode): void {
  selection.mode = m;
  selection.active = null;
}

/** f32 reciprocal of the temperature, the factor the kernels multiply (x - max) by. */
function invT(temperature: number): number {
  return temperature === 1 ? 1 : Math.fround(1 / temperature);
}

/** Smallest positive float32: `e >= MIN_POSITIVE` selects the tokens with nonzero probability. */
const MIN_POSITIVE = 2 ** -149;

/**
 * What {@link LoadedRow.nucleus} saw on the way to the nucleus edge (a caller-owned object it fills
 * in; {@link createNucleusEdge} makes one): enough to bound the float32 sums' error afterwards.
 */
export interface NucleusEdge {
  /** S = Σ e_i, the float32 exp-and-sum of the row (f64 block reduction). */
  sum: number;
  /** A token whose e_i equals the last kept one's was left out for its higher id. */
  tiedOut: boolean;
  /** The smallest e_i kept. */
  cut: number;
  /** Σ e_i over the kept tokens, as the kernel summed them. */
  keptMass: number;
  /** The bisection's probes: threshold t and the kernel's Σ e_i over e_i ≥ t (`probes` of them). */
  probes: number;
  probeThreshold: Float64Array;
  probeMass: Float64Array;
}

/**
 * A fresh {@link NucleusEdge}.
 * @returns An edge record with room for every probe.
 * @example
 * ```ts
 * const edge = createNucleusEdge(); row.nucleus(1, 0.9, ids, edge); edge.sum;
 * ```
 */
export function createNucleusEdge(): NucleusEdge {
  return {
    sum: 0,
    tiedOut: false,
    cut: 0,
    keptMass: 0,
    probes: 0,
    probeThreshold: new Float64Array(BISECTION_STEPS),
    probeMass: new Float64Array(BISECTION_STEPS),
  };
}

/** Bisection passes of the nucleus search: brackets the edge within 1/32 of an octave. */
const BISECTION_STEPS = 13;

/** Options of {@link LoadedRow.topLogprobs}: where the row is (for its masked tail) and where to write. */
interface LoadedTopLogprobsOptions {
  /** The same row as loaded: `data[offset ..]`. */
  data: Float32Array;
  offset: number;
  /** How many entries. */
  n: number;
  /** log Σ exp(u_i − max) of the row. */
  logSum: number;
  outIds: Int32Array;
  outLogprobs: Float64Array;
  /** First slot written in both outputs (default 0). */
  outOffset?: number;
}

// Sort keys for the edge of the top-p nucleus: (bits of e) · 2^22 + (2^22 − 1 − id) < 2^53 orders
// by e, then by lower id, exactly.
let nucleusKeys = new Float64Array(0);
const ID_SPAN = 2 ** 22;
const bitsF32 = new Float32Array(1);
const bitsI32 = new Int32Array(bitsF32.buffer);
function bitsToF32(bits: number): number {
  bitsI32[0] = bits;
  return bitsF32[0]!;
}

/**
 * A row loaded in the kernel memory and the questions the kernels answer about it without copying it
 * again. Valid until the next load of any row (then every method throws); fields are fixed at load.
 */
export class LoadedRow {
  /** Vocabulary size V. */
  readonly length: number;
  /** Row maximum; not finite (NaN, +Infinity, or -Infinity for an empty / all-masked row) = invalid. */
  readonly max: number;
  /** S = Σ exp((x_i − max)·s) from {@link LoadedRow.normalize} (float32 exp-and-sum), else NaN. */
  sum = Number.NaN;
  /** log S (portableLog). */
  logSum = Number.NaN;
  /** Σ e_i (x_i − max)·s when {@link LoadedRow.normalize} was asked for it, else 0. */
  entropyTerm = 0;
  private readonly memory: KernelMemory;
  private readonly load: number;
  private readonly padded: number;
  private readonly seq: SumSequence | null;

  constructor(memory: KernelMemory, padded: number, length: number) {
    this.memory = memory;
    this.load = memory.loads;
    this.padded = padded;
    this.length = length;
    const k = memory.backend.k;
    const max = k.maxF32(memory.layout.row, padded);
    this.max = max;
    this.seq = Number.isFinite(max) ? memory.sumSequence(padded, length) : null;
  }

  /** The memory, when this row is still the loaded one; throws otherwise (a stale handle). */
  private live(): KernelMemory {
    const mem = this.memory;
    if (mem.loads !== this.load || selection.active !== mem) {
      throw new Error("kernels: this row is no longer loaded (another row was loaded since); load it again");
    }
    return mem;
  }

  private sequence(): SumSequence {
    if (this.seq === null) throw new Error("kernels: the row is invalid (its max is not finite)");
    return this.seq;
  }

  /**
   * Computes S = Σ exp((x_i − max)·s) (s rounded to float32) with the float32 exp-and-sum kernel —
   * the same S as softmaxKernel / logSoftmaxKernel / logSumExpKernel for the row, bit for bit — and
   * log S, plus the entropy moment Σ e_i (x_i − max)·s when `entropy` (expSumMoment: same S).
   * @returns this (sum, logSum, entropyTerm set).
   */
  normalize(s: number, entropy: boolean): this {
    const mem = this.live();
    const seq = this.sequence();
    const k = mem.backend.k;
    const sf = Math.fround(s);
    const S = entropy
      ? k.expSumMoment(seq.start, seq.count16, this.max, sf, mem.layout.blockSums)
      : k.expSum(seq.start, seq.count16, this.max, sf, 0, mem.layout.blockSums);
    this.sum = S;
    this.logSum = portableLog(S);
    this.entropyTerm = entropy ? k.lastMoment() : 0;
    return this;
  }

  /** Number of elements strictly greater than t. */
  countGt(t: number): number {
    const mem = this.live();
    return mem.backend.k.countGt(mem.layout.row, this.padded, t);
  }

  /**
   * The k largest entries, value descending, ties to the lower id, -Infinity excluded: ids (and
   * values unless null) from outOffset. Returns how many were written.
   */
  topK(k: number, outIds: Int32Array, outValues: Float32Array | Float64Array | null, outOffset = 0): number {
    let mem = this.live();
    const kk = Math.max(0, Math.min(k, this.length));
    if (kk > mem.layout.topCapacity) {
      mem.reserve(this.length, kk);
      mem = this.live();
    }
    const l = mem.layout;
    const c = mem.backend.k.topK(l.row, this.padded, kk, l.heapIds, l.heapValues);
    const ids = l.heapIds >> 2;
    const values = l.heapValues >> 2;
    for (let i = 0; i < c; i++) {
      outIds[outOffset + i] = mem.i32[ids + i]!;
      if (outValues !== null) outValues[outOffset + i] = mem.f32[values + i]!;
    }
    return c;
  }

  /**
   * topLogprobs' fill step: the n most likely ids, most likely first, ties to the lower id, then the
   * -Infinity tokens by id; logprob = u − max − logSum (-Infinity for masked ones); slots beyond the
   * row length get id −1 and NaN.
   */
  topLogprobs(o: LoadedTopLogprobsOptions): void {
    const outOffset = o.outOffset ?? 0;
    const length = this.length;
    let c = this.topK(o.n, o.outIds, null, outOffset);
    const want = Math.min(o.n, length);
    for (let i = 0; c < want && i < length; i++) {
      if (o.data[o.offset + i] === Number.NEGATIVE_INFINITY) o.outIds[outOffset + c++] = i;
    }
    fillLogprobs({
      data: o.data,
      offset: o.offset,
      max: this.max,
      logSum: o.logSum,
      outIds: o.outIds,
      outLogprobs: o.outLogprobs,
      outOffset,
      written: c,
      n: o.n,
    });
  }

  /**
   * One draw from softmax(x / T) with the uniform u ∈ [0, 1): the fused float32 exp-and-sum keeps
   * e_i and their block sums, then the inverse-CDF walk finds the first token whose running sum
   * exceeds u·S. Never a masked token.
   */
  draw(temperature: number, u: number): number {
    const mem = this.live();
    const seq = this.sequence();
    const k = mem.backend.k;
    const l = mem.layout;
    const S = k.expSum(seq.start, seq.count16, this.max, invT(temperature), l.exps, l.blockSums);
    const j = k.drawIndex(l.exps, seq.count, l.blockSums, u * S);
    return seq.mapped ? mem.i32[(l.finiteIds >> 2) + j]! : j;
  }

  /**
   * The top-p nucleus of softmax(x / T): the smallest set of most likely tokens whose total
   * probability is ≥ p (among equal probabilities the lower id enters first), written to outIds in
   * ascending id order; returns its size. p ≥ 1 keeps every token with nonzero probability. At most
   * 4,194,304 tokens. `edge`, when given, receives S and whether a tie was cut.
   *
   * Method: one exp-and-sum pass keeps e_i (e_max = 1); a bisection over the float bits of a threshold
   * t ∈ [0, 1] — 13 SIMD passes of Σ e_i over e_i ≥ t — brackets the nucleus edge in [lo, hi), a band
   * 1/32 of an octave wide. Everything ≥ hi is in the nucleus; only the band's few entries are sorted
   * (packed float64 keys) and added to the mass above hi until it reaches p·S, which fixes the last
   * token (e*, id*). One collect pass then writes {e > e*} ∪ {e = e*, id ≤ id*}. No full sort.
   */
  nucleus(temperature: number, p: number, outIds: Int32Array, edge: NucleusEdge | null = null): number {
    const mem = this.live();
    const seq = this.sequence();
    const k = mem.backend.k;
    mem.reserveFull();
    const l = mem.layout;
    const I = mem.i32;
    const F = mem.f32;
    const S = k.expSum(seq.start, seq.count16, this.max, invT(temperature), l.exps, l.blockSums);
    if (edge !== null) {
      edge.sum = S;
      edge.tiedOut = false;
      edge.probes = 0;
    }
    const collected = l.collected >> 2;
    const e = l.exps >> 2;
    const len = seq.count;
    const en16 = seq.count16;
    if (!(p < 1)) {
      if (edge !== null) {
        edge.cut = MIN_POSITIVE;
        edge.keptMass = S;
      }
      return this.collectInto(mem, MIN_POSITIVE, outIds);
    }
    const target = p * S;
    // Invariant: mass(e >= lo) >= target > mass(e >= hi). mass(e >= 0) = S; mass(e >= just above 1) = 0.
    let lo = 0;
    let hi = 0x3f800001;
    for (let step = 0; step < BISECTION_STEPS; step++) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const t = bitsToF32(mid);
      const mass = k.massGe(l.exps, en16, t);
      if (edge !== null) {
        edge.probeThreshold[step] = t;
        edge.probeMass[step] = mass;
        edge.probes = step + 1;
      }
      if (mass >= target) lo = mid;
      else hi = mid;
    }
    const tLo = lo === 0 ? MIN_POSITIVE : bitsToF32(lo);
    const tHi = bitsToF32(hi);
    let cum = hi > 0x3f800000 ? 0 : k.massGe(l.exps, en16, tHi);
    // The band: tLo <= e < tHi — a few entries around the edge.
    const nb = k.collectRange(l.exps, len, tLo, tHi, l.collected);
    if (nucleusKeys.length < nb) nucleusKeys = new Float64Array(Math.max(nb, nucleusKeys.length * 2));
    for (let i = 0; i < nb; i++) {
      const id = I[collected + i]!;
      nucleusKeys[i] = I[e + id]! * ID_SPAN + (ID_SPAN - 1 - id);
    }
    const band = nucleusKeys.subarray(0, nb).sort();
    let cutBits = -1;
    let cutId = -1;
    let tiesAfter = false; // an entry equal to e* with a higher id stays out
    for (let i = nb - 1; i >= 0; i--) {
      const key = band[i]!;
      const id = ID_SPAN - 1 - (key % ID_SPAN);
      const bits = (key - (ID_SPAN - 1 - id)) / ID_SPAN;
      if (cutBits >= 0 && cum >= target) {
        tiesAfter = bits === cutBits;
        break;
      }
      cum += F[e + id]!;
      cutBits = bits;
      cutId = id;
    }
    // Empty band: the nucleus is every entry >= tHi. Otherwise {e > e*} ∪ {e = e*, id <= id*} (if
    // rounding left cum < target, the whole band was taken: the cut is its smallest entry, as the
    // invariant promises), ascending ids.
    if (cutBits < 0) {
      const t = hi > 0x3f800000 ? MIN_POSITIVE : tHi;
      if (edge !== null) {
        edge.cut = t;
        edge.keptMass = cum;
      }
      return this.collectInto(mem, t, outIds);
    }
    const eCut = bitsToF32(cutBits);
    if (edge !== null) {
      edge.tiedOut = tiesAfter;
      edge.cut = eCut;
      edge.keptMass = cum;
    }
    if (!tiesAfter) return this.collectInto(mem, eCut, outIds);
    const n = k.collectRange(l.exps, len, eCut, Number.POSITIVE_INFINITY, l.collected);
    const finiteIds = l.finiteIds >> 2;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const id = I[collected + i]!;
      if (F[e + id]! === eCut && id > cutId) continue;
      outIds[count++] = seq.mapped ? I[finiteIds + id]! : id;
    }
    return count;
  }

  /** Writes the ids with e_i >= t (ascending) to outIds; returns how many. */
  private collectInto(mem: KernelMemory, t: number, outIds: Int32Array): number {
    const seq = this.sequence();
    const l = mem.layout;
    const n = mem.backend.k.collectRange(l.exps, seq.count, t, Number.POSITIVE_INFINITY, l.collected);
    const I = mem.i32;
    const collected = l.collected >> 2;
    if (seq.mapped) {
      const finiteIds = l.finiteIds >> 2;
      for (let i = 0; i < n; i++) outIds[i] = I[finiteIds + I[collected + i]!]!;
    } else outIds.set(I.subarray(collected, collected + n));
    return n;
  }

  /**
   * softmax of (x / T) into out[outOffset ..]: p_i = fround(e_i · fround(1 / S)). On a row with masked
   * tokens the result is scattered back over the row region, so the handle goes stale.
   */
  softmaxInto(out: Float32Array, outOffset: number, temperature: number): void {
    const mem = this.live();
    const seq = this.sequence();
    const k = mem.backend.k;
    const l = mem.layout;
    const S = k.expSum(seq.start, seq.count16, this.max, invT(temperature), l.exps, l.blockSums);
    k.scaleF32(l.exps, seq.count16, Math.fround(1 / S), l.exps);
    let result = l.exps;
    if (seq.mapped) {
      k.scatterF32(l.exps, l.finiteIds, seq.count, l.row, this.length);
      mem.loads++; // the row region now holds the output
      result = l.row;
    }
    mem.copyOut(result, this.length, out, outOffset);
  }

  /**
   * log-softmax of (x / T) into out[outOffset ..]. T = 1: fround(fround(x_i − max) − fround(log S)) in
   * float32 (within 2 ulp of the exact value for this S); otherwise fround((x_i − max)·(1/T) − log S)
   * in float64, rounded once (the temperature's product would add roundings the bound does not cover).
   */
  logSoftmaxInto(out: Float32Array, outOffset: number, temperature: number): void {
    const mem = this.live();
    const seq = this.sequence();
    const k = mem.backend.k;
    const l = mem.layout;
    const S = k.expSum(seq.start, seq.count16, this.max, invT(temperature), 0, l.blockSums);
    if (temperature === 1) k.logSoftmaxWrite32(l.row, this.padded, this.max, portableLog(S), l.exps);
    else k.logSoftmaxWrite64(l.row, this.padded, this.max, 1 / temperature, portableLog(S), l.exps);
    mem.copyOut(l.exps, this.length, out, outOffset);
  }

  /** log Σ exp(x_i / T) = max / T + log S. */
  logSumExp(temperature: number): number {
    const mem = this.live();
    const seq = this.sequence();
    const S = mem.backend.k.expSum(
      seq.start,
      seq.count16,
      this.max,
      invT(temperature),
      0,
      mem.layout.blockSums,
    );
    return (temperature === 1 ? this.max : this.max / temperature) + portableLog(S);
  }

  /** Target logprob, rank and entropy (T = 1); `target` < length, −1 for none. */
  score(target: number): RowScore {
    const mem = this.live();
    const seq = this.sequence();
    const k = mem.backend.k;
    const l = mem.layout;
    const m = this.max;
    const S = k.expSumMoment(seq.start, seq.count16, m, 1, l.blockSums);
    const logS = portableLog(S);
    const result: RowScore = {
      max: m,
      logSumExp: m + logS,
      logprob: Number.NaN,
      rank: 0,
      entropy: logS - k.lastMoment() / S,
    };
    if (target >= 0) {
      const xt = mem.f32[(l.row >> 2) + target]!;
      result.logprob = xt - m - logS;
      result.rank = 1 + k.countGt(l.row, this.padded, xt);
    }
    return result;
  }
}

/**
 * Loads a row (room for top lists of k) and finds its max.
 * @param data - Buffer holding the row.
 * @param offset - Row start.
 * @param length - V.
 * @param k - Top-list capacity to reserve (default 0).
 * @returns The loaded row; a `max` that is not finite means the row is invalid.
 * @example
 * ```ts
 * const row = loadRow(logits, 0, logits.length).normalize(1, false); // row.max, row.logSum
 * row.countGt(logits[7]); // how many tokens beat token 7
 * ```
 */
export function loadRow(data: Float32Array, offset: number, length: number, k = 0): LoadedRow {
  const mem = memory();
  return new LoadedRow(mem, mem.loadRow(data, offset, length, k), length);
}

// ---- row functions: one load, one question ----

/** Maximum of a row (NaN if any element is NaN; -Infinity for an empty or all-masked row). */
export function maxKernel(data: Float32Array, offset: number, length: number): number {
  const mem = memory();
  const padded = mem.loadRow(data, offset, length);
  return mem.backend.k.maxF32(mem.layout.row, padded);
}

/**
 * softmax of (x / T) into out[outOffset ..]: p_i = fround(e_i · fround(1 / S)), e_i = exp((x_i − max)·s)
 * with s = fround(1 / T), S = Σ e_i (f64, fixed order). Returns the row max; when it is not finite
 * nothing was written.
 */
export function softmaxKernel(
  data: Float32Array,
  offset: number,
  length: number,
  out: Float32Array,
  outOffset: number,
  temperature: number,
): number {
  const row = loadRow(data, offset, length);
  if (Number.isFinite(row.max)) row.softmaxInto(out, outOffset, temperature);
  return row.max;
}

/**
 * log-softmax of (x / T): at T = 1 fround(fround(x_i − max) − fround(log S)) in float32 (within 2 ulp
 * of the exact value for this S), else fround((x_i − max)·(1/T) − log S) in float64 (rounded once); S the float32 exp-and-sum of softmaxKernel (f32 lanes within blocks of 128, blocks
 * reduced in f64: |ΔS/S| ≤ 11·2⁻²⁴ ≈ 6.6e-7 plus 2⁻²⁴·E_p|d| per rounding of the shifted logit d — so log S
 * within ~1e-6 absolute; see test/softmaxReference.ts). Returns the row max (see softmaxKernel).
 */
export function logSoftmaxKernel(
  data: Float32Array,
  offset: number,
  length: number,
  out: Float32Array,
  outOffset: number,
  temperature: number,
): number {
  const row = loadRow(data, offset, length);
  if (Number.isFinite(row.max)) row.logSoftmaxInto(out, outOffset, temperature);
  return row.max;
}

/**
 * log Σ exp(x_i / T) = max / T + log S, S from the float32 exp-and-sum (as logSoftmaxKernel). Returns
 * NaN / ±Infinity unchanged from the max when the row is invalid (NaN, +Infinity, or all -Infinity / empty).
 */
export function logSumExpKernel(
  data: Float32Array,
  offset: number,
  length: number,
  temperature: number,
): number {
  const row = loadRow(data, offset, length);
  return Number.isFinite(row.max) ? row.logSumExp(temperature) : row.max;
}

/** Result of scoreKernel / scoreHalfKernel. */
interface RowScore {
  /** Row maximum; when not finite the row is invalid and the other fields are unset. */
  max: number;
  /** log Σ exp x_i (f64). */
  logSumExp: number;
  /** x_target − logSumExp, or NaN when target < 0. */
  logprob: number;
  /** 1 + number of x_i strictly greater than x_target, or 0 when target < 0. */
  rank: number;
  /** −Σ p_i log p_i. */
  entropy: number;
}

function invalidScore(max: number): RowScore {
  return { max, logSumExp: Number.NaN, logprob: Number.NaN, rank: 0, entropy: Number.NaN };
}

/** Target logprob, rank and entropy of one row (T = 1). `target` must be < length (−1: none). */
export function scoreKernel(data: Float32Array, offset: number, length: number, target: number): RowScore {
  const row = loadRow(data, offset, length);
  return Number.isFinite(row.max) ? row.score(target) : invalidScore(row.max);
}

/** scoreKernel on a row of little-endian float16 / bfloat16 bytes, decoded inside the kernel memory. */
export function scoreHalfKernel(
  bytes: Uint8Array,
  byteOffset: number,
  length: number,
  dtype: "f16" | "bf16",
  target: number,
): RowScore {
  const mem = memory();
  const row = new LoadedRow(mem, mem.loadHalf(bytes, byteOffset, length, dtype), length);
  return Number.isFinite(row.max) ? row.score(target) : invalidScore(row.max);
}

/** Decodes `length` little-endian float16 / bfloat16 values at bytes[byteOffset..] into out (exact). */
export function decodeHalfKernel(
  bytes: Uint8Array,
  byteOffset: number,
  length: number,
  dtype: "f16" | "bf16",
  out: Float32Array,
  outOffset = 0,
): void {
  const mem = memory();
  mem.loadHalf(bytes, byteOffset, length, dtype);
  mem.copyOut(mem.layout.row, length, out, outOffset);
}

/**
 * The k largest entries of a row, excluding -Infinity (and NaN): ids and values, value descending,
 * lower id first on ties. Returns how many were written (≤ k).
 */
export function topKKernel(
  data: Float32Array,
  offset: number,
  length: number,
  k: number,
  outIds: Int32Array,
  outValues: Float32Array | Float64Array,
  outOffset = 0,
): number {
  const kk = Math.max(0, Math.min(k, length));
  return loadRow(data, offset, length, kk).topK(kk, outIds, outValues, outOffset);
}

/**
 * The top-p nucleus of softmax(x / T) (see {@link LoadedRow.nucleus}), written to outIds in
 * ascending id order; returns its size, or −1 (nothing written) when the row is invalid.
 */
export function topPKernel(
  data: Float32Array,
  offset: number,
  length: number,
  temperature: number,
  p: number,
  outIds: Int32Array,
): number {
  const row = loadRow(data, offset, length);
  return Number.isFinite(row.max) ? row.nucleus(temperature, p, outIds) : -1;
}

/**
 * One draw from softmax(x / T) with the uniform u ∈ [0, 1) (see {@link LoadedRow.draw}). Returns the
 * token id, or −1 when the row is invalid (not finite max); never a masked token.
 */
export function sampleKernel(
  data: Float32Array,
  offset: number,
  length: number,
  temperature: number,
  u: number,
): number {
  const row = loadRow(data, offset, length);
  return Number.isFinite(row.max) ? row.draw(temperature, u) : -1;
}

/** exp over n floats with the kernels' polynomial (test hook for the error bound). */
export function expKernel(x: Float32Array, out: Float32Array): void {
  const mem = memory();
  const n = x.length;
  mem.loadRow(x, 0, n);
  const l = mem.layout;
  mem.backend.k.expArray(l.row, n, l.exps);
  mem.copyOut(l.exps, n, out);
}

/** Result of rowStatsKernel (copy of a loaded row's normalizer). */
interface RowStats {
  /** Row maximum; not finite (NaN, +Infinity, or -Infinity for an empty / all-masked row) = invalid row. */
  max: number;
  /** S = Σ exp((x_i − max)·s) from the float32 exp-and-sum kernel (masked terms excluded). */
  sum: number;
  /** log S (portableLog). */
  logSum: number;
  /** Σ e_i (x_i − max)·s when asked for (entropy = logSum − term / sum), else 0. */
  entropyTerm: number;
}

/**
 * Loads a row and computes its max (with validation) and normalizer (see {@link LoadedRow.normalize});
 * the plain-numbers face of {@link loadRow} for callers that ask nothing else about the row.
 */
export function rowStatsKernel(
  data: Float32Array,
  offset: number,
  length: number,
  s: number,
  entropy: boolean,
): RowStats {
  const row = loadRow(data, offset, length);
  if (!Number.isFinite(row.max)) return { max: row.max, sum: 0, logSum: 0, entropyTerm: 0 };
  row.normalize(s, entropy);
  return { max: row.max, sum: row.sum, logSum: row.logSum, entropyTerm: row.entropyTerm };
}
