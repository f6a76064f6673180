// Lazy token-mask cost per token, isolated from sampling: GENERATIONS generations (default 10) of the
// nested schema are sampled at V = 100,277 (the embedded n-gram model), then their token sequences
// are replayed through fresh lazily compiled grammars — `mask(state)` timed per token (building it on
// a state's first visit: trie walk plus the automaton's transitions), `advance` not timed — ROUNDS
// times (default 7) after a warm-up replay. A second replay through the now warm grammar times
// cached masks.
//
// Side by side: BASELINE=<path to another build's dist/index.js> (e.g. main's, built beside this one)
// runs PROCESSES (default 3) child processes per build, alternating this build and the baseline, and
// reports both with their ratio. Separate processes because two builds in one process are not
// measured alike: an identical copy of this build imported second replayed 2–3× slower than the
// first (the JIT had seen only the first build's code during sampling). On a shared machine compare
// the ratio, not the times. Run: `pnpm --filter @logitstream/grammar bench` (every bench), or
// `node --expose-gc bench/lazyMasks.bench.mjs`.
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createSampler } from "@logitstream/core";
import { BpeTokenizer, loadModel } from "@logitstream/ngram";
import { SCHEMA } from "./benchSchema.mjs";

const GENERATIONS = Number(process.env.GENERATIONS ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const PROCESSES = Number(process.env.PROCESSES ?? 3);
const THIS_BUILD = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

/** Samples the generations with `build`, replays them ROUNDS times: µs per token spent in `mask`. */
async function measure(buildPath) {
  const build = await import(pathToFileURL(buildPath).href);
  const tokenizer = new BpeTokenizer();
  const model = loadModel();
  const EOS = tokenizer.endOfTextId;
  const options = { eosId: EOS, exclude: [100258, 100259, 100260, 100264, 100265, 100266, 100276] };
  const sequences = [];
  const sampled = build.compileGrammar({ jsonSchema: SCHEMA }, tokenizer, options);
  for (let g = 0; g < GENERATIONS; g++) {
    const stage = build.grammarStage(sampled);
    const sampler = createSampler({ seed: g, temperature: 1 }, { stages: [{ stage, before: "logit_bias" }] });
    if (!sampler.stages.includes(stage)) sampler.stages.unshift(stage);
    const context = tokenizer.encode("The order:");
    const tokens = [];
    for (let step = 0; step < 400; step++) {
      const { token } = sampler.sample(model.next(context));
      tokens.push(token);
      if (token === EOS) break;
      context.push(token);
    }
    sequences.push(tokens);
  }
  const tokenCount = sequences.reduce((n, s) => n + s.length, 0);
  const replay = (grammar) => {
    let wall = 0;
    let cpu = 0;
    for (const tokens of sequences) {
      let state = grammar.start;
      for (const token of tokens) {
        const c = process.cpuUsage();
        const t = performance.now();
        grammar.mask(state);
        wall += performance.now() - t;
        const d = process.cpuUsage(c);
        cpu += (d.user + d.system) / 1000;
        if (token !== EOS) state = grammar.advance(state, token);
      }
    }
    return { wall: (wall / tokenCount) * 1000, cpu: (cpu / tokenCount) * 1000 };
  };
  const r = { tokens: tokenCount, states: 0, lazyWall: [], lazyCpu: [], cachedWall: [] };
  for (let round = 0; round <= ROUNDS; round++) {
    globalThis.gc?.();
    const grammar = build.compileGrammar({ jsonSchema: SCHEMA }, tokenizer, options);
    const lazy = replay(grammar);
    const cached = replay(grammar);
    if (round === 0) continue; // warm-up
    r.lazyWall.push(lazy.wall);
    r.lazyCpu.push(lazy.cpu);
    r.cachedWall.push(cached.wall);
    r.states = grammar.automaton.stateCount;
  }
  return r;
}

function row(name, runs) {
  const all = (key) => runs.flatMap((r) => r[key]);
  return `${name.padEnd(10)} | ${fmt(median(all("lazyWall")))} (${fmt(median(all("lazyCpu")))}), ${fmt(Math.min(...all("lazyWall")))} | ${fmt(median(all("cachedWall")))} | ${runs[0].states} | ${runs[0].tokens}`;
}
const TITLE =
  "build      | mask µs/token, lazy: median wall (CPU), min wall | mask µs/token, cached: median wall | states | tokens";

if (process.env.LAZY_MASKS_CHILD) {
  process.stdout.write(JSON.stringify(await measure(process.env.LAZY_MASKS_CHILD)));
} else if (!process.env.BASELINE) {
  console.log(
    `grammar lazy masks — ${GENERATIONS} generations replayed, ${ROUNDS} rounds, Node ${process.version}, load ${load()}`,
  );
  console.log(TITLE);
  console.log(row("this build", [await measure(THIS_BUILD)]));
} else {
  const builds = [
    ["this build", THIS_BUILD],
    ["baseline", process.env.BASELINE],
  ];
  const runs = builds.map(() => []);
  const loadBefore = load();
  for (let p = 0; p < PROCESSES; p++) {
    for (const i of p % 2 === 0 ? [0, 1] : [1, 0]) {
      const child = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url)], {
        env: { ...process.env, LAZY_MASKS_CHILD: builds[i][1] },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      });
      if (child.status !== 0) process.exit(child.status ?? 1);
      runs[i].push(JSON.parse(child.stdout));
    }
  }
  console.log(
    `grammar lazy masks — ${GENERATIONS} generations replayed, ${ROUNDS} rounds × ${PROCESSES} processes per build (alternating), Node ${process.version}, load ${loadBefore} → ${load()}`,
  );
  console.log(TITLE);
  for (let i = 0; i < builds.length; i++) console.log(row(builds[i][0], runs[i]));
  const ratio = (f) => f(runs[1].flatMap((r) => r.lazyWall)) / f(runs[0].flatMap((r) => r.lazyWall));
  console.log(
    `baseline / this build, lazy mask wall time: ${ratio(median).toFixed(2)}× (medians), ${ratio((xs) => Math.min(...xs)).toFixed(2)}× (minima)`,
  );
}
