import type { CommandContext } from "./command.js";
import type { CliSamplerParams } from "./samplerParams.js";

export interface GenerateOptions {
  prompt: string;
  maxTokens: number;
  stop: string[];
  params: CliSamplerParams;
  logprobs: number;
  json: boolean;
}

/** Wires @logitstream/ngram's model → @logitstream/stream's generate → stdout. */
export async function runGenerate(_ctx: CommandContext, _opts: GenerateOptions): Promise<void> {
  throw new Error("generate is not wired yet: @logitstream/stream and @logitstream/ngram have not landed");
}
