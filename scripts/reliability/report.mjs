// Test-only preload of the reliability suite (issue 8): at exit, writes to the file named by
// LOGITSTREAM_RELIABILITY_REPORT the process's peak resident memory (VmHWM: every thread of the
// process, workers included) and any property added to Object.prototype or Array.prototype since
// start-up (prototype pollution on the main thread). When the pool's fault-injection preload
// (packages/pool/test/fixtures/injectFaults.mjs) is loaded too, it also reports how many times each
// injected fault's row was attempted: its shared counter starts at `times` and every task holding the
// row decrements it, so `times - counter` attempts were made (more than `times` = the fault fired
// `times` times and a later attempt went through).
//
//   LOGITSTREAM_RELIABILITY_REPORT=/tmp/r.json node --import ./scripts/reliability/report.mjs apps/cli/dist/main.js ...
//
// It only observes; it changes nothing the CLI does. Production never loads it (it is not part of any
// package, and the CLI has no flag or variable that loads it: only node's --import does).
import { readFileSync, writeFileSync } from "node:fs";

// biome-ignore lint/suspicious/noUndeclaredEnvVars: set only by the tests for this preload, never a turbo task input
const path = process.env.LOGITSTREAM_RELIABILITY_REPORT;
const objectBefore = new Set(Reflect.ownKeys(Object.prototype).map(String));
const arrayBefore = new Set(Reflect.ownKeys(Array.prototype).map(String));

if (path) {
  process.on("exit", () => {
    const added = (proto, before) =>
      Reflect.ownKeys(proto)
        .map(String)
        .filter((k) => !before.has(k));
    writeFileSync(
      path,
      JSON.stringify({
        maxRssKb: peakRssKb(),
        addedToObjectPrototype: added(Object.prototype, objectBefore),
        addedToArrayPrototype: added(Array.prototype, arrayBefore),
        faultCounters: faultCounters(),
      }),
    );
  });
}

function faultCounters() {
  const hook = globalThis[Symbol.for("@logitstream/pool/test-worker")];
  const counters = hook?.workerData?.counters;
  return counters === undefined ? undefined : Array.from(counters);
}

// VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over execve, and libuv spawns with vfork,
// so a child's ru_maxrss starts at its parent's peak (a test runner that held a large buffer).
function peakRssKb() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m !== null) return Number(m[1]);
  } catch {
    // no /proc: fall back below
  }
  return process.resourceUsage().maxRSS;
}
