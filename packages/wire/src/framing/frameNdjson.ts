import type { ByteSource } from "../byteSource.js";
import { WireError } from "../errors.js";
import type { ByteChunk } from "../frames.js";
import { COMMA, hasByteOrderMark, isBlankRange, isLineBlank, NEWLINE, OPEN_BRACKET } from "./asciiBytes.js";
import type { FramingOptions } from "./framingOptions.js";
import { readBufferReserve } from "./readBufferReserve.js";

/**
 * What the framer knows about the line whose end it has not found yet. It looks only once the line has
 * grown past 2 × maxVocab bytes: an array line of more than maxVocab logits is an error whatever follows,
 * and it holds at least two bytes per logit. From then on an array line's commas are counted (ordinary
 * lines cost nothing beyond the newline search) and the line is rejected at maxVocab commas, instead of
 * being buffered up to maxFrameBytes (a 200 MB line would be ~0.8 GB resident across the framer, the
 * pool's staging and the worker).
 */
type OpenLineShape = "unchecked" | "array" | "other";

/**
 * The state of NDJSON framing: the chunk being gathered (whole lines at the start of the source's view)
 * and the line after them, not yet complete.
 */
class NdjsonFramer {
  /** Input row and 1-based line number of the chunk being gathered. */
  #firstRow = 0;
  #firstLine = 1;
  /** The chunk: the view's bytes before `#chunkEnd`, holding `#rows` non-blank lines of `#lines`. */
  #rows = 0;
  #lines = 0;
  #chunkEnd = 0;
  /** The open line (from `#chunkEnd`): searched for a newline up to `scanned`. */
  scanned = 0;
  #shape: OpenLineShape = "unchecked";
  #commas = 0;
  /** The open line's commas are counted up to this offset of the view. */
  #commasCounted = 0;

  constructor(
    private readonly src: ByteSource,
    private readonly o: FramingOptions,
  ) {}

  /** Whether the chunk holds rows and nothing after them (the view ends at a line boundary). */
  get holdsOnlyWholeRows(): boolean {
    return this.#rows > 0 && this.#chunkEnd === this.src.length;
  }

  /** Whether the chunk should be cut now: `maxBatchRows` rows or `maxChunkBytes` bytes. */
  get full(): boolean {
    return this.#rows >= this.o.maxBatchRows || this.#chunkEnd >= this.o.maxChunkBytes;
  }

  /** The error for a complete line ending at `newline` that is too long, if it is. */
  completeLineError(newline: number): WireError | undefined {
    return newline - this.#chunkEnd > this.o.maxFrameBytes ? this.#tooLong() : undefined;
  }

  /** Adds the line ending at `newline` to the chunk. */
  addLine(view: Uint8Array, newline: number): void {
    this.#countLine(view, newline);
    this.scanned = newline + 1;
    this.#shape = "unchecked";
    this.#commas = 0;
  }

  /** At the end of input: an unterminated last line is still a line (the decoder reports it if cut short). */
  addLastLine(view: Uint8Array): void {
    if (view.length > this.#chunkEnd) this.#countLine(view, view.length);
  }

  /**
   * The error for the open line once it is known to be bad whatever follows: longer than maxFrameBytes,
   * or an array of more than maxVocab logits. Marks the view as searched.
   */
  openLineError(view: Uint8Array): WireError | undefined {
    const length = view.length - this.#chunkEnd;
    if (length > this.o.maxFrameBytes) return this.#tooLong();
    if (this.#shape !== "other" && length > 2 * this.o.maxVocab && this.#hasTooManyLogits(view)) {
      return new WireError(
        "E_WIRE_LIMIT",
        `row ${this.#openRow} (line ${this.#openLine}) has more than maxVocab (${this.o.maxVocab}) logits; raise maxVocab if this is intended`,
        { frame: this.#openRow, byteOffset: this.src.base + this.#chunkEnd },
      );
    }
    this.scanned = view.length;
    return undefined;
  }

  /** Cuts the gathered lines off the source as a chunk (yielded unless they were all blank). */
  *flush(): Generator<ByteChunk> {
    const byteOffset = this.src.base;
    const end = this.#chunkEnd;
    const bytes = this.src.detach(end, readBufferReserve(end, this.o.maxChunkBytes));
    if (this.#rows > 0) {
      const chunk: ByteChunk = {
        format: "ndjson",
        firstRow: this.#firstRow,
        rows: this.#rows,
        firstFrame: this.#firstRow,
        firstLine: this.#firstLine,
        bytes,
        byteOffset,
        onError: this.o.onError,
        maxVocab: this.o.maxVocab,
      };
      if (this.o.vocab !== undefined) chunk.vocab = this.o.vocab;
      yield chunk;
    }
    this.#firstRow += this.#rows;
    this.#firstLine += this.#lines;
    this.scanned -= end;
    this.#chunkEnd = 0;
    this.#rows = 0;
    this.#lines = 0;
  }

  get #openRow(): number {
    return this.#firstRow + this.#rows;
  }

  get #openLine(): number {
    return this.#firstLine + this.#lines;
  }

  #countLine(view: Uint8Array, end: number): void {
    if (!isBlankRange(view, this.#chunkEnd, end)) this.#rows++;
    this.#lines++;
    this.#chunkEnd = end === view.length ? end : end + 1;
  }

  #tooLong(): WireError {
    return new WireError(
      "E_WIRE_LIMIT",
      `row ${this.#openRow} (line ${this.#openLine}) is longer than maxFrameBytes (${this.o.maxFrameBytes} bytes); raise maxFrameBytes or check that the input is NDJSON`,
      { frame: this.#openRow, byteOffset: this.src.base + this.#chunkEnd },
    );
  }

  /** Counts the open array line's commas so far; true once they reach maxVocab. */
  #hasTooManyLogits(view: Uint8Array): boolean {
    if (this.#shape === "unchecked") {
      let s = this.#chunkEnd;
      while (isLineBlank(view[s])) s++;
      this.#shape = view[s] === OPEN_BRACKET ? "array" : "other";
      this.#commasCounted = this.#chunkEnd;
    }
    if (this.#shape !== "array") return false;
    let commas = this.#commas;
    for (let i = this.#commasCounted; i < view.length; i++) if (view[i] === COMMA) commas++;
    this.#commas = commas;
    this.#commasCounted = view.length;
    return commas >= this.o.maxVocab;
  }
}

/**
 * Cuts NDJSON into chunks of whole lines. A chunk ends at `maxBatchRows` rows or `maxChunkBytes` bytes, and
 * early when the input pauses right after complete lines (a pipe between rows), so each record is written
 * as soon as its row has arrived. Blank lines count as lines (for `firstLine`) but not as rows.
 */
export async function* frameNdjson(src: ByteSource, o: FramingOptions): AsyncGenerator<ByteChunk> {
  await src.fill(3);
  if (hasByteOrderMark(src.view())) src.consume(3);
  const framer = new NdjsonFramer(src, o);
  for (;;) {
    const view = src.view();
    const newline = view.indexOf(NEWLINE, framer.scanned);
    if (newline >= 0) {
      const error = framer.completeLineError(newline);
      if (error !== undefined) {
        yield* framer.flush();
        throw error;
      }
      framer.addLine(view, newline);
      if (framer.full) yield* framer.flush();
      continue;
    }
    const error = framer.openLineError(view);
    if (error !== undefined) {
      yield* framer.flush();
      throw error;
    }
    // Reads that end inside a line (files, fast pipes) keep filling full chunks; complete rows followed by
    // a pause go out now.
    if (framer.holdsOnlyWholeRows && (await src.wouldWait())) {
      yield* framer.flush();
      continue;
    }
    if (await src.pull()) continue;
    framer.addLastLine(view);
    yield* framer.flush();
    return;
  }
}
