import { LogitstreamError } from "@logitstream/core";

/**
 * Stable codes of {@link WireError}. A code says what kind of problem it is; the message says where and
 * what to do.
 */
export type WireErrorCode =
  | "E_WIRE_TRUNCATED" // the input ended inside a frame, or before the rows a header promised
  | "E_WIRE_SYNTAX" // bytes that are not valid NDJSON / msgpack
  | "E_WIRE_FIELD" // a frame field with the wrong type or value (logits, target, id, params…)
  | "E_WIRE_VOCAB" // a row whose length differs from the stream's vocabulary size
  | "E_WIRE_DTYPE" // an unknown or unsupported element type
  | "E_WIRE_HEADER" // a malformed .npy / safetensors header
  | "E_WIRE_LIMIT" // a size beyond a configured bound (line, frame, header, vocabulary)
  | "E_WIRE_FORMAT" // the format cannot be detected, or an option does not fit it
  | "E_WIRE_TENSOR" // a safetensors file has no tensor of the given name, or several and none was named
  | "E_WIRE_RECORD" // an output record that does not match the CLI contract
  | "E_WIRE_VALUE"; // a value that the target format cannot represent (e.g. NaN in NDJSON)

/**
 * The one error type of @logitstream/wire. `frame` is the 0-based frame index where the problem is
 * (an NDJSON row, a msgpack frame, a binary row; -1 for a file header or for problems not tied to a
 * frame) and `byteOffset` the absolute byte offset in the input of that frame's first byte (or of the
 * offending byte when it is known more precisely; -1 when not applicable).
 */
export class WireError extends LogitstreamError {
  override readonly code: WireErrorCode;
  readonly frame: number;
  readonly byteOffset: number;
  constructor(
    code: WireErrorCode,
    problem: string,
    where: { frame: number; byteOffset: number },
    options?: { cause?: unknown },
  ) {
    const at =
      where.frame >= 0
        ? ` (frame ${where.frame}, byte offset ${where.byteOffset})`
        : where.byteOffset >= 0
          ? ` (header, byte offset ${where.byteOffset})`
          : "";
    super(code, `${problem}${at}`, options);
    this.code = code;
    this.frame = where.frame;
    this.byteOffset = where.byteOffset;
  }
}
