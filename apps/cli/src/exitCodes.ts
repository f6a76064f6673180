/**
 * Exit codes of the logitstream command (sysexits.h values where one fits).
 *
 * - 0: success, or stdout closed by the reader (`| head -1`)
 * - 1: an unexpected internal error (a bug: please report it with the message)
 * - 2: bad flags or arguments (the message names the flag)
 * - 65: bad input data (the message names the row, frame or byte offset); rows before it are on stdout
 * - 66: the input path cannot be opened
 * - 69: the queue of a distributed run (Redis) is unavailable; rerun with the same --job-id to resume
 * - 74: writing the output failed (e.g. disk full)
 * - 130 / 143: stopped by SIGINT / SIGTERM after flushing the complete records
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  dataError: 65,
  noInput: 66,
  unavailable: 69,
  ioError: 74,
  sigint: 130,
  sigterm: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
