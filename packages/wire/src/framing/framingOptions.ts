import { WireError } from "../errors.js";
import { DEFAULTS, type Format, type ReadOptions } from "../frames.js";

/** `ReadOptions` with every limit filled in and checked: what each framer reads. */
export interface FramingOptions {
  maxBatchRows: number;
  maxChunkBytes: number;
  maxFrameBytes: number;
  maxVocab: number;
  maxHeaderBytes: number;
  onError: "throw" | "skip";
  vocab: number | undefined;
}

const FORMATS: readonly Format[] = ["ndjson", "msgpack", "f32", "f16", "bf16", "npy", "safetensors"];
const LIMITS = ["maxBatchRows", "maxChunkBytes", "maxFrameBytes", "maxVocab", "maxHeaderBytes"] as const;

/** Fills in the defaults and rejects bad options with a WireError (E_WIRE_FORMAT) before any byte is read. */
export function framingOptions(opts: ReadOptions): FramingOptions {
  const o: FramingOptions = {
    maxBatchRows: opts.maxBatchRows ?? DEFAULTS.maxBatchRows,
    maxChunkBytes: opts.maxChunkBytes ?? DEFAULTS.maxChunkBytes,
    maxFrameBytes: opts.maxFrameBytes ?? DEFAULTS.maxFrameBytes,
    maxVocab: opts.maxVocab ?? DEFAULTS.maxVocab,
    maxHeaderBytes: opts.maxHeaderBytes ?? DEFAULTS.maxHeaderBytes,
    onError: opts.onError ?? "throw",
    vocab: opts.vocab,
  };
  const nowhere = { frame: -1, byteOffset: -1 };
  for (const k of LIMITS) {
    if (!Number.isSafeInteger(o[k]) || o[k] < 1)
      throw new WireError("E_WIRE_FORMAT", `option ${k} must be a positive integer`, nowhere);
  }
  if (o.vocab !== undefined && (!Number.isSafeInteger(o.vocab) || o.vocab < 1 || o.vocab > o.maxVocab)) {
    throw new WireError(
      "E_WIRE_FORMAT",
      `option vocab must be an integer in [1, maxVocab = ${o.maxVocab}]`,
      nowhere,
    );
  }
  if (o.onError !== "throw" && o.onError !== "skip")
    throw new WireError("E_WIRE_FORMAT", 'option onError must be "throw" or "skip"', nowhere);
  if (opts.format !== undefined && !FORMATS.includes(opts.format)) {
    throw new WireError(
      "E_WIRE_FORMAT",
      `unknown format ${JSON.stringify(opts.format)}; use one of ${FORMATS.join(", ")}`,
      nowhere,
    );
  }
  return o;
}

/** Rejects a header whose vocabulary differs from the one the caller gave. */
export function checkVocab(o: FramingOptions, vocab: number, what: string): void {
  if (o.vocab !== undefined && o.vocab !== vocab) {
    throw new WireError("E_WIRE_VOCAB", `${what} has vocabulary ${vocab} but ${o.vocab} was expected`, {
      frame: -1,
      byteOffset: 0,
    });
  }
}
