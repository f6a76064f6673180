// Preload (`node --import …/recordModules.mjs`) for the start-up tests and bench: appends every module
// the process loads to the file named by LOGITSTREAM_MODULE_LOG, one URL or path per line — ES modules as
// the resolve hook sees them, CommonJS ones from the shared require cache when the process exits.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const log = process.env.LOGITSTREAM_MODULE_LOG;
if (!log) throw new Error("recordModules.mjs: set LOGITSTREAM_MODULE_LOG to the file to append to");
register("./recordModulesHooks.mjs", import.meta.url, { data: { log } });
const cache = createRequire(import.meta.url).cache;
process.on("exit", () => appendFileSync(log, `${Object.keys(cache).join("\n")}\n`));
