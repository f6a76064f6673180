import type { Command } from "../command.js";

/** `logitstream bench`: the side-by-side benchmark table. */
export const bench: Command = {
  name: "bench",
  summary: "print the side-by-side benchmark table",
  usage: "bench [flags]",
  description: "Runs the benchmarks and prints the side-by-side table.",
  flags: [],
  examples: ["logitstream bench"],
  maxPositionals: 0,
  async run() {
    throw new Error("bench is not wired yet");
  },
};
