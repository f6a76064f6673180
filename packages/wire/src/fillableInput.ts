/** What {@link FillableInput.fillInto} resolves with. */
export interface FillResult {
  /** Bytes `into` now holds from its start (at least the `start` it was called with). */
  length: number;
  /** True when the input has ended: no later call will add bytes. */
  done: boolean;
}

/**
 * An input read in pieces (a pipe) that can also read straight into memory it is given: the framers
 * use `fillInto` for binary rows, so a pipe's bytes land in the chunk's memory (`ReadOptions.alloc`: the
 * pool's shared slabs) instead of in the input's buffer first and then copied there. The pieces (the
 * async iterator) still serve everything that is scanned rather than taken (text, msgpack, headers); a
 * consumer never has a `next()` and a `fillInto` pending at once.
 *
 * Unlike a `ByteReader` (a file, which never pauses), such an input may pause for as long as its
 * writer likes (a model writing a row per step), so `fillInto` also returns early when it holds whole
 * rows and nothing more is arriving: each row is handed on without waiting for a full chunk.
 */
export interface FillableInput extends AsyncIterable<Uint8Array> {
  /**
   * Reads into `into` after its first `start` bytes (already there). Resolves with the bytes it holds:
   * `into.length` when full; fewer with `done` at the end of the input (or once the input is closed);
   * fewer without `done` when `unit` > 0 and the input paused with a whole number (≥ 1) of units held,
   * or when an error came after these bytes (the next call rejects with it). Once it has resolved, the
   * input never writes into `into` again: the caller may hand that memory on.
   * @param unit a row's size in bytes: early returns only at a multiple of it; 0 never returns early
   */
  fillInto(into: Uint8Array, start: number, unit: number): Promise<FillResult>;
}

/** Whether an input is a {@link FillableInput} (an async iterable with `fillInto`). */
export function isFillableInput(input: unknown): input is FillableInput {
  return (
    typeof (input as FillableInput | null)?.fillInto === "function" &&
    typeof (input as FillableInput)[Symbol.asyncIterator] === "function"
  );
}
