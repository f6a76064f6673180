// The step view's redraw time in a real browser: Debian's Chromium (headless, puppeteer-core) on the built
// page (`pnpm build`), the embedded n-gram model's row at V = 100,277. Each control is moved to a value and
// back, many times; the page times each redraw itself (the chain with a probe after every stage, the
// bars, the summary) and the bench reports the median, 95th percentile and maximum per control.
// `node bench/redraw.bench.mjs [--runs N]` from apps/playground (CHROMIUM_PATH if not /usr/bin/chromium).
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";
import { runsFromArgs } from "../../../scripts/benchHarness.mjs";
import { startStaticServer } from "../scripts/staticServer.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
const RUNS = runsFromArgs(15);

// control, the value it is moved to, and the value it goes back to (off).
const MOVES = [
  ["temperature", "0.7", "1"],
  ["top-k", "40", "0"],
  ["top-p", "0.9", "1"],
  ["top-p", "0.5", "1"],
  ["min-p", "0.05", "0"],
  ["typical-p", "0.9", "1"],
  ["repetition-penalty", "1.1", "1"],
];

if (!existsSync(CHROMIUM) || !existsSync(join(DIST, "index.html"))) {
  console.log(`redraw bench skipped: needs ${CHROMIUM} and the built page (pnpm build)`);
  process.exit(0);
}
const server = await startStaticServer(DIST);
const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  userDataDir: mkdtempSync(join(tmpdir(), "playground-bench-")),
});
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForSelector("body[data-ready]", { timeout: 60_000 });
  await page.waitForSelector("#bars li");
  const summary = (key) => page.$eval("#step-summary", (el, k) => el.dataset[k], key);
  async function move(id, value) {
    const before = await summary("redraws");
    await page.$eval(
      `#${id}`,
      (el, v) => {
        el.value = v;
        el.dispatchEvent(new Event("input", { bubbles: true }));
      },
      value,
    );
    await page.waitForFunction(
      (b) => document.querySelector("#step-summary").dataset.redraws !== b,
      {},
      before,
    );
    return Number(await summary("ms"));
  }
  const times = new Map(MOVES.map(([id, to]) => [`${id} ${to}`, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const [id, to, off] of MOVES) {
      times.get(`${id} ${to}`).push(await move(id, to));
      await move(id, off);
    }
  }
  const q = (a, f) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(f * a.length))];
  const v = await page.$eval("#step-summary", (el) => el.textContent.match(/of ([\d,]+) tokens/)?.[1]);
  console.log(
    `playground redraw in headless Chromium, V = ${v}, ${RUNS} moves per control (first one included)`,
  );
  console.log("| control moved to | median ms | p95 ms | max ms |\n|---|---:|---:|---:|");
  const all = [];
  for (const [name, a] of times) {
    all.push(...a);
    console.log(`| ${name} | ${q(a, 0.5).toFixed(1)} | ${q(a, 0.95).toFixed(1)} | ${q(a, 1).toFixed(1)} |`);
  }
  console.log(
    `| all moves | ${q(all, 0.5).toFixed(1)} | ${q(all, 0.95).toFixed(1)} | ${q(all, 1).toFixed(1)} |`,
  );
} finally {
  await browser.close();
  await server.close();
}
