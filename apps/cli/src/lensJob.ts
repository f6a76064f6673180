// `logitstream lens`: the logit lens. Reads hidden states and the unembedding W with
// @logitstream/wire's header parsers, applies the final norm, streams W from its file through core's
// LM head (each row of W read once per block of hidden vectors) and writes the top tokens per layer
// and position as NDJSON.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { createLmHead, type Tokenizer, topLogprobs } from "@logitstream/core";
import {
  type Dtype,
  decodeElements,
  npyHeaderSize,
  parseNpyHeader,
  parseSafetensorsHeader,
  safetensorsHeaderSize,
  WireError,
} from "@logitstream/wire";
import type { CommandContext } from "./command.js";
import { InputError } from "./errors.js";

/** What `lens` was asked to do. */
interface LensOptions {
  readonly hidden: string;
  readonly hiddenTensor: string | undefined;
  readonly unembed: string;
  readonly tensor: string | undefined;
  readonly norm: string | undefined;
  readonly normTensor: string | undefined;
  readonly normType: "rms" | "layer";
  readonly normEps: number;
  readonly top: number;
  readonly block: number;
  /** Vocabulary slices computed in parallel worker threads (1: in this thread). */
  readonly threads: number;
  readonly model: string | undefined;
}

/** A tensor located in a file: its shape, dtype and where its bytes are. */
interface Located {
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  /** Absolute byte offset of the data in the file. */
  readonly begin: number;
}

const MAX_HEADER = 100 * 1024 * 1024;

function openFile(path: string, what: string): number {
  try {
    const fd = openSync(path, "r");
    if (!fstatSync(fd).isFile()) {
      closeSync(fd);
      throw new InputError(`${what} ${path} is not a regular file`);
    }
    return fd;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot open ${what} ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function readAt(fd: number, pos: number, length: number): Uint8Array {
  const b = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, b, got, length - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? b : b.subarray(0, got);
}

/** Reads the header of a .npy or .safetensors file (by its first bytes) and locates one tensor. */
function locate(fd: number, path: string, tensor: string | undefined): Located {
  const first = readAt(fd, 0, 16);
  const isNpy = first[0] === 0x93 && first[1] === 0x4e; // \x93N(UMPY)
  if (isNpy) {
    const size = npyHeaderSize(first, MAX_HEADER);
    const h = parseNpyHeader(readAt(fd, 0, size), Number.MAX_SAFE_INTEGER);
    return { shape: h.shape, dtype: h.dtype, begin: h.dataOffset };
  }
  const size = safetensorsHeaderSize(first, MAX_HEADER);
  if (size < 0)
    throw new WireError("E_WIRE_TRUNCATED", `${path}: too short for a .npy or safetensors header`, {
      frame: -1,
      byteOffset: 0,
    });
  const t = parseSafetensorsHeader(readAt(fd, 0, size), tensor, Number.MAX_SAFE_INTEGER);
  return { shape: t.shape, dtype: t.dtype, begin: t.begin };
}

function badShape(path: string, problem: string): WireError {
  return new WireError("E_WIRE_FORMAT", `${path}: ${problem}`, { frame: -1, byteOffset: -1 });
}

const ELEMENT_BYTES: Record<Dtype, number> = { f32: 4, f16: 2, bf16: 2, f64: 8 };

/** Reads a whole (small) tensor as float32. */
function readTensor(
  path: string,
  tensor: string | undefined,
  what: string,
): { shape: readonly number[]; data: Float32Array } {
  const fd = openFile(path, what);
  try {
    const t = locate(fd, path, tensor);
    let n = 1;
    for (const s of t.shape) n *= s;
    const bytes = readAt(fd, t.begin, n * ELEMENT_BYTES[t.dtype]);
    if (bytes.length < n * ELEMENT_BYTES[t.dtype])
      throw new WireError(
        "E_WIRE_TRUNCATED",
        `${path}: the ${what} data ends after ${bytes.length} of ${n * ELEMENT_BYTES[t.dtype]} bytes`,
        {
          frame: -1,
          byteOffset: t.begin + bytes.length,
        },
      );
    const data = new Float32Array(n);
    decodeElements(bytes, 0, n, t.dtype, data, 0);
    return { shape: t.shape, data };
  } finally {
    closeSync(fd);
  }
}

/**
 * The final norm of the logit lens, in float64, rounded once to float32: RMSNorm
 * `x / sqrt(mean(x²) + eps) · w`, or LayerNorm `(x − mean) / sqrt(var + eps) · w (+ b)`.
 */
function applyNorm(
  x: Float32Array,
  offset: number,
  d: number,
  weight: Float32Array,
  bias: Float32Array | undefined,
  type: "rms" | "layer",
  eps: number,
): void {
  let mean = 0;
  if (type === "layer") {
    for (let i = 0; i < d; i++) mean += x[offset + i]!;
    mean /= d;
  }
  let sq = 0;
  for (let i = 0; i < d; i++) {
    const c = x[offset + i]! - mean;
    sq += c * c;
  }
  const inv = 1 / Math.sqrt(sq / d + eps);
  for (let i = 0; i < d; i++)
    x[offset + i] = (x[offset + i]! - mean) * inv * weight[i]! + (bias ? bias[i]! : 0);
}

function tokenText(
  tok: Tokenizer | undefined,
  id: number,
  dec: { decode(b: Uint8Array): string },
): string | undefined {
  if (tok === undefined || id >= tok.vocabSize) return undefined;
  return dec.decode(tok.tokenBytes(id));
}

/** Runs `lens`: NDJSON `{"layer","position","top":[{"token","prob","text"?}]}` per layer and position. */
export async function runLens(ctx: CommandContext, o: LensOptions): Promise<void> {
  const hidden = readTensor(o.hidden, o.hiddenTensor, "--hidden");
  const hs = hidden.shape;
  if (hs.length !== 2 && hs.length !== 3)
    throw badShape(
      o.hidden,
      `hidden states must have shape [layers, positions, d] or [positions, d], got [${hs.join(", ")}]`,
    );
  const d = hs[hs.length - 1]!;
  const positions = hs[hs.length - 2]!;
  const layers = hs.length === 3 ? hs[0]! : 1;

  let norm: { weight: Float32Array; bias: Float32Array | undefined } | undefined;
  if (o.norm !== undefined) {
    const w = readTensor(o.norm, o.normTensor, "--norm");
    if (w.shape.length !== 1 || w.shape[0] !== d)
      throw badShape(
        o.norm,
        `the norm weight must have shape [${d}] (the hidden size), got [${w.shape.join(", ")}]`,
      );
    let bias: Float32Array | undefined;
    if (o.normType === "layer" && o.normTensor?.endsWith("weight")) {
      try {
        const b = readTensor(o.norm, `${o.normTensor.slice(0, -"weight".length)}bias`, "--norm");
        if (b.shape.length === 1 && b.shape[0] === d) bias = b.data;
      } catch (err) {
        if (!(err instanceof WireError && err.code === "E_WIRE_FORMAT")) throw err; // no bias tensor: none
      }
    }
    norm = { weight: w.data, bias };
  }

  const fd = openFile(o.unembed, "--unembed");
  try {
    const w = locate(fd, o.unembed, o.tensor);
    if (w.shape.length !== 2)
      throw badShape(o.unembed, `the unembedding must have shape [V, d], got [${w.shape.join(", ")}]`);
    const [vocab, wd] = w.shape as [number, number];
    if (wd !== d)
      throw badShape(
        o.unembed,
        `the unembedding has d = ${wd} (shape [${vocab}, ${wd}]) but the hidden states have d = ${d} (shape [${hs.join(", ")}]); pick the matching --tensor (the LM head is [V, d])`,
      );
    if (w.dtype === "f64")
      throw new WireError(
        "E_WIRE_DTYPE",
        `${o.unembed}: float64 unembedding weights are not supported (F32, F16, BF16 are)`,
        {
          frame: -1,
          byteOffset: -1,
        },
      );
    const dtype = w.dtype;
    const rowBytes = d * ELEMENT_BYTES[dtype];
    const size = fstatSync(fd).size;
    if (w.begin + vocab * rowBytes > size)
      throw new WireError(
        "E_WIRE_TRUNCATED",
        `${o.unembed}: the file ends before the unembedding's ${vocab} rows`,
        {
          frame: -1,
          byteOffset: size,
        },
      );

    let tokenizer: Tokenizer | undefined;
    let disposeModel: (() => Promise<void>) | undefined;
    if (o.model !== undefined) {
      const { openModel } = await import("./loadModel.js");
      const m = await openModel(o.model);
      tokenizer = m.tokenizer;
      disposeModel = () => m.dispose();
    }
    const dec = new TextDecoder("utf-8");
    try {
      const total = layers * positions;
      const block = Math.min(o.block, total);
      const head =
        o.threads > 1
          ? await sliceHead({ path: o.unembed, begin: w.begin, dtype, d, vocab, block, threads: o.threads })
          : fileHead(fd, { path: o.unembed, begin: w.begin, dtype, d, vocab, block });
      const ids = new Int32Array(o.top);
      const lps = new Float64Array(o.top);
      try {
        for (let first = 0; first < total; first += block) {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          const count = Math.min(block, total - first);
          const h = hidden.data.slice(first * d, (first + count) * d);
          if (norm !== undefined)
            for (let p = 0; p < count; p++)
              applyNorm(h, p * d, d, norm.weight, norm.bias, o.normType, o.normEps);
          const logits = await head.run(h, count);
          for (let p = 0; p < count; p++) {
            const k = topLogprobs({
              data: logits,
              offset: p * vocab,
              length: vocab,
              n: o.top,
              outIds: ids,
              outLogprobs: lps,
              outOffset: 0,
              row: first + p,
            });
            const g = first + p;
            const top = [];
            for (let j = 0; j < k; j++) {
              const text = tokenText(tokenizer, ids[j]!, dec);
              top.push(
                text === undefined
                  ? { token: ids[j]!, prob: Math.exp(lps[j]!) }
                  : { token: ids[j]!, prob: Math.exp(lps[j]!), text },
              );
            }
            await ctx.stdout.write(
              `${JSON.stringify({ layer: Math.floor(g / positions), position: g % positions, top })}\n`,
            );
          }
        }
      } finally {
        await head.close();
      }
      await ctx.stdout.flush();
    } finally {
      await disposeModel?.();
    }
  } finally {
    closeSync(fd);
  }
}

/** Where W's rows are and how the hidden vectors are blocked. */
interface HeadSource {
  readonly path: string;
  readonly begin: number;
  readonly dtype: "f32" | "f16" | "bf16";
  readonly d: number;
  readonly vocab: number;
  readonly block: number;
}

/** One block of hidden vectors in, its logit rows ([count × V], row p at p · V) out. */
interface BlockHead {
  run(hidden: Float32Array, count: number): Promise<Float32Array>;
  close(): Promise<void>;
}

/** The LM head in this thread: one pass over W per block, read straight into the kernel's window. */
function fileHead(fd: number, s: HeadSource): BlockHead {
  const head = createLmHead({ d: s.d, vocab: s.vocab, dtype: s.dtype, maxCount: s.block });
  const rowBytes = s.d * ELEMENT_BYTES[s.dtype];
  return {
    async run(hidden, count) {
      head.setHidden(hidden, count);
      for (let r = 0; r < s.vocab; r += head.windowRows) {
        const rows = Math.min(head.windowRows, s.vocab - r);
        const win = head.window().subarray(0, rows * rowBytes);
        const at = s.begin + r * rowBytes;
        for (let got = 0; got < win.length; ) {
          const n = readSync(fd, win, got, win.length - got, at + got);
          if (n === 0)
            throw new WireError(
              "E_WIRE_TRUNCATED",
              `${s.path}: the file ended inside row ${r} of the unembedding`,
              {
                frame: -1,
                byteOffset: at + got,
              },
            );
          got += n;
        }
        head.pushWindow(r, rows);
      }
      return head.logits;
    },
    async close() {},
  };
}

/**
 * The LM head split over `threads` worker threads by vocabulary slices (rows [r0, r1) of W each): every
 * thread writes its columns of the shared logit rows; each logit depends only on its own row of W, so the
 * result is bit for bit that of one thread.
 */
async function sliceHead(s: HeadSource & { readonly threads: number }): Promise<BlockHead> {
  const n = Math.min(s.threads, s.vocab);
  const hidden = new SharedArrayBuffer(s.block * s.d * 4);
  const logits = new SharedArrayBuffer(s.block * s.vocab * 4);
  const url = new URL("./lensWorker.js", import.meta.url);
  const workers: Worker[] = [];
  for (let t = 0; t < n; t++) {
    const r0 = Math.floor((t * s.vocab) / n);
    const r1 = Math.floor(((t + 1) * s.vocab) / n);
    workers.push(new Worker(url, { workerData: { ...s, r0, r1, hidden, logits } }));
  }
  const hv = new Float32Array(hidden);
  const lv = new Float32Array(logits);
  const ask = (wk: Worker, count: number) =>
    new Promise<void>((resolve, reject) => {
      const onMessage = (m: { ok: boolean; message?: string }) => {
        wk.off("error", onError);
        if (m.ok) resolve();
        else
          reject(
            new WireError("E_WIRE_FORMAT", `unembedding slice: ${m.message}`, { frame: -1, byteOffset: -1 }),
          );
      };
      const onError = (err: Error) => {
        wk.off("message", onMessage);
        reject(err);
      };
      wk.once("message", onMessage);
      wk.once("error", onError);
      wk.postMessage({ count });
    });
  return {
    async run(h, count) {
      hv.set(h.subarray(0, count * s.d));
      await Promise.all(workers.map((wk) => ask(wk, count)));
      return lv;
    },
    async close() {
      // Each slice closes its file and exits once told to.
      await Promise.all(
        workers.map((wk) => {
          const exited = new Promise((resolve) => wk.once("exit", resolve));
          wk.postMessage({ close: true });
          return exited;
        }),
      );
    },
  };
}
