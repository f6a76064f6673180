import type { ByteSource } from "../byteSource.js";
import { WireError } from "../errors.js";
import type { ByteChunk } from "../frames.js";
import { frameRows } from "../msgpack/frameRows.js";
import { MsgpackScanError, NEED_MORE, newFrameInfo, scanMsgpackFrame } from "../msgpack/scanMsgpackFrame.js";
import type { FramingOptions } from "./framingOptions.js";
import { readBufferReserve } from "./readBufferReserve.js";

/** The chunk of whole msgpack frames being gathered at the start of the source's view. */
class MsgpackChunk {
  /** First input frame and row of the chunk. */
  firstFrame = 0;
  firstRow = 0;
  frames = 0;
  rows = 0;
  /** The chunk's bytes end here in the view (where the next frame starts). */
  end = 0;

  constructor(
    private readonly src: ByteSource,
    private readonly o: FramingOptions,
  ) {}

  get full(): boolean {
    return this.rows >= this.o.maxBatchRows || this.end >= this.o.maxChunkBytes;
  }

  add(rows: number, end: number): void {
    this.rows += rows;
    this.frames++;
    this.end = end;
  }

  /** Cuts the gathered frames off the source as a chunk (yielded when there are any). */
  *flush(): Generator<ByteChunk> {
    if (this.frames === 0) return;
    const chunk: ByteChunk = {
      format: "msgpack",
      firstRow: this.firstRow,
      rows: this.rows,
      firstFrame: this.firstFrame,
      byteOffset: this.src.base,
      bytes: this.src.detach(this.end, readBufferReserve(this.end, this.o.maxChunkBytes)),
      onError: this.o.onError,
      maxVocab: this.o.maxVocab,
    };
    if (this.o.vocab !== undefined) chunk.vocab = this.o.vocab;
    yield chunk;
    this.firstFrame += this.frames;
    this.firstRow += this.rows;
    this.frames = 0;
    this.rows = 0;
    this.end = 0;
  }
}

/** The framer's error for bytes it cannot scan as msgpack (or a frame over maxFrameBytes). */
function unscannable(e: MsgpackScanError, frame: number, byteOffset: number, o: FramingOptions): WireError {
  const advice = e.limit ? `; raise maxFrameBytes (${o.maxFrameBytes}) if the frame is genuine` : "";
  return new WireError(e.limit ? "E_WIRE_LIMIT" : "E_WIRE_SYNTAX", `frame ${frame}: ${e.problem}${advice}`, {
    frame,
    byteOffset,
  });
}

/**
 * Cuts a msgpack stream into chunks of whole frames (a batch frame is never split). Frames are scanned,
 * not decoded: the scanner checks their structure and reads the `rows`/`vocab`/`logits` headers to count
 * rows. A chunk ends at `maxBatchRows` rows or `maxChunkBytes` bytes, or early when the input pauses right
 * after whole frames.
 */
export async function* frameMsgpack(src: ByteSource, o: FramingOptions): AsyncGenerator<ByteChunk> {
  const info = newFrameInfo();
  const chunk = new MsgpackChunk(src, o);
  // A frame that needs more bytes is rescanned only once its buffered part has doubled: linear time for
  // frames that arrive in many small reads.
  let rescanAt = 0;
  for (;;) {
    const view = src.view();
    const at = chunk.end;
    if (at >= view.length || (view.length < rescanAt && !src.done)) {
      if (chunk.rows > 0 && at === view.length && (await src.wouldWait())) {
        yield* chunk.flush();
        continue;
      }
      if (await src.pull()) continue;
      if (at >= src.view().length) {
        yield* chunk.flush();
        return;
      }
      continue; // at the end of input: scan what is there once more, to report the truncation
    }
    const frame = chunk.firstFrame + chunk.frames;
    let end: number;
    try {
      end = scanMsgpackFrame(view, at, view.length, o.maxFrameBytes, info);
    } catch (e) {
      if (!(e instanceof MsgpackScanError)) throw e;
      const error = unscannable(e, frame, src.base + at, o);
      yield* chunk.flush();
      // No length prefix or sync marker exists in a msgpack stream: after bytes that are not msgpack the
      // next frame boundary is unknowable, so even skip mode stops here.
      throw error;
    }
    if (end === NEED_MORE) {
      if (src.done) {
        const error = new WireError(
          "E_WIRE_TRUNCATED",
          `frame ${frame} is cut short: the input ends ${view.length - at} bytes into it`,
          { frame, byteOffset: src.base + at },
        );
        yield* chunk.flush();
        throw error;
      }
      rescanAt = at + 2 * Math.max(view.length - at, 4096);
      continue;
    }
    rescanAt = 0;
    const rows = frameRows(info);
    if (chunk.rows > 0 && chunk.rows + rows > o.maxBatchRows) {
      yield* chunk.flush();
      continue; // rescan the same frame at the start of the next chunk (cheap)
    }
    chunk.add(rows, end);
    if (chunk.full) yield* chunk.flush();
  }
}
