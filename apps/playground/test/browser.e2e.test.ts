// The playground in a real browser: Debian's Chromium, headless, driven by puppeteer-core, on the built
// page (`pnpm build` writes apps/playground/dist) served from loopback. What the page shows is checked
// against core computed here in Node and against the CLI's own output. Screenshots (light and dark) and
// the measured redraw times go to apps/playground/test-artifacts/.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BpeTokenizer, loadModel } from "@logitstream/ngram";
import { encodeNpy } from "@logitstream/wire";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without type declarations
import { startStaticServer } from "../scripts/staticServer.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
const CLI = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
const ARTIFACTS = fileURLToPath(new URL("../test-artifacts/", import.meta.url));
const PROMPT = "The history of";

let server: { url: string; close: () => Promise<void> };
let browser: Browser;
let page: Page;
const timings: Record<string, number> = {};

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`logitstream ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Sets an input's value as a user would (an input event), then waits for the step view to redraw. */
async function setInput(id: string, value: string): Promise<void> {
  const before = await redrawCount();
  await page.$eval(
    `#${id}`,
    (el, v) => {
      (el as HTMLInputElement).value = v;
      el.dispatchEvent(new Event("input", { bubbles: true }));
    },
    value,
  );
  await page.waitForFunction(
    (b) => (document.querySelector("#step-summary") as HTMLElement).dataset.redraws !== b,
    {},
    before,
  );
  timings[`${id}=${value}`] = Number(
    await page.$eval("#step-summary", (el) => (el as HTMLElement).dataset.ms),
  );
}

async function redrawCount(): Promise<string | undefined> {
  return page.$eval("#step-summary", (el) => (el as HTMLElement).dataset.redraws);
}

/** The bars as shown: token id and whether it is greyed out. */
async function bars(): Promise<{ token: number; removed: boolean }[]> {
  return page.$$eval("#bars li", (lis) =>
    lis.map((li) => ({ token: Number(li.dataset.token), removed: li.classList.contains("removed") })),
  );
}

// The same row the page computes, from the same model, in Node.
const tokenizer = new BpeTokenizer();
const model = loadModel();
const row = model.next(tokenizer.encode(PROMPT)).slice();
const byProb = Array.from(row, (_, i) => i).sort((a, b) => row[b]! - row[a]! || a - b);
const max = row[byProb[0]!]!;
const sumExp = row.reduce((s, v) => s + Math.exp(v - max), 0);
const prob = (id: number) => Math.exp(row[id]! - max) / sumExp;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startStaticServer(DIST);
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    userDataDir: mkdtempSync(join(tmpdir(), "playground-chromium-")),
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1100 });
  await page.goto(server.url);
  await page.waitForSelector("body[data-ready]", { timeout: 60_000 });
  await page.waitForSelector("#bars li");
});

afterAll(async () => {
  writeFileSync(join(ARTIFACTS, "redraw-ms.json"), `${JSON.stringify(timings, null, 2)}\n`);
  await browser?.close();
  await server?.close();
});

describe("the playground in Chromium", () => {
  it("shows the 30 most likely next tokens of the context, as core gives them", async () => {
    const shown = await bars();
    expect(shown.map((b) => b.token)).toEqual(byProb.slice(0, 30));
    expect(shown.every((b) => !b.removed)).toBe(true);
    const kept = await page.$eval("#step-summary", (el) => Number((el as HTMLElement).dataset.kept));
    expect(kept).toBe(row.length);
  });

  it("greys out what top-k, top-p and min-p cut, and counts the kept set", async () => {
    await setInput("top-k", "5");
    let shown = await bars();
    expect(shown.filter((b) => !b.removed).map((b) => b.token)).toEqual(byProb.slice(0, 5));
    expect(await page.$eval("#step-summary", (el) => Number((el as HTMLElement).dataset.kept))).toBe(5);
    await setInput("top-k", "0");

    // Top-p from the float64 definition: the smallest most likely set with mass ≥ 0.5.
    await setInput("top-p", "0.5");
    let mass = 0;
    let n = 0;
    while (mass < 0.5) mass += prob(byProb[n++]!);
    shown = await bars();
    expect(shown.filter((b) => !b.removed).map((b) => b.token)).toEqual(byProb.slice(0, Math.min(n, 30)));
    expect(await page.$eval("#step-summary", (el) => Number((el as HTMLElement).dataset.kept))).toBe(n);
    const removedBy = await page.$$eval("#bars li.removed", (lis) => lis.map((li) => li.dataset.removedBy));
    expect(new Set(removedBy)).toEqual(new Set(["top_p"]));
    await setInput("top-p", "1");

    await setInput("min-p", "0.2");
    const cut = prob(byProb[0]!) * 0.2;
    const keptMinP = byProb.filter((id) => prob(id) >= cut);
    shown = await bars();
    expect(shown.filter((b) => !b.removed).map((b) => b.token)).toEqual(keptMinP.slice(0, 30));
    await setInput("min-p", "0");
  });

  it("moves a slider from the keyboard", async () => {
    await page.focus("#top-k");
    const before = await redrawCount();
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction(
      (b) => (document.querySelector("#step-summary") as HTMLElement).dataset.redraws !== b,
      {},
      before,
    );
    expect(await page.$eval("#top-k", (el) => (el as HTMLInputElement).value)).toBe("1");
    expect((await bars()).filter((b) => !b.removed).map((b) => b.token)).toEqual([byProb[0]]);
    await setInput("top-k", "0");
  });

  it("generates the CLI's text for the same prompt, settings and seed", async () => {
    await setInput("temperature", "0.8");
    await setInput("top-k", "40");
    await setInput("seed", "7");
    await page.$eval("#max-tokens", (el) => {
      (el as HTMLInputElement).value = "25";
    });
    await page.click("#go");
    await page.waitForSelector("#generate-status[data-done]", { timeout: 60_000 });
    const text = await page.$eval("#text", (el) => el.textContent);
    const expected = cli([
      "generate",
      PROMPT,
      "--max-tokens",
      "25",
      "--temperature",
      "0.8",
      "--top-k",
      "40",
      "--seed",
      "7",
    ]);
    expect(text).toBe(expected.replace(/\n$/, ""));
    // Every generated token is coloured by its probability and explains its alternatives.
    const spans = await page.$$eval("#text span[data-p]", (s) =>
      s.map((x) => x.getAttribute("aria-label") ?? ""),
    );
    expect(spans.length).toBeGreaterThan(0);
    expect(spans.every((l) => / p 0\.\d{4}/.test(l))).toBe(true);
  });

  it("opens a .npy logits file and shows the perplexity `logitstream score` prints", async () => {
    const dir = mkdtempSync(join(tmpdir(), "playground-npy-"));
    const rows = 300;
    const v = 1000;
    const data = new Float32Array(rows * v);
    for (let i = 0; i < data.length; i++) data[i] = Math.fround(4 * Math.sin(i * 0.37) + Math.cos(i * 0.011));
    const targets = Array.from({ length: rows }, (_, i) => (i * 37) % v);
    const npyPath = join(dir, "logits.npy");
    const targetsPath = join(dir, "targets.txt");
    writeFileSync(npyPath, encodeNpy({ rows, vocab: v, data }));
    writeFileSync(targetsPath, targets.join("\n"));
    const summaryLine = cli(["score", npyPath, "--targets", targetsPath]).trim().split("\n").at(-1)!;
    const expected = (JSON.parse(summaryLine) as { summary: { perplexity: number } }).summary.perplexity;

    const targetsInput = await page.$("#targets");
    await (targetsInput as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(targetsPath);
    const fileInput = await page.$("#file");
    await (fileInput as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(npyPath);
    await page.waitForSelector("#file-summary[data-done]", { timeout: 60_000 });
    const shown = await page.$eval("#file-summary", (el) => ({
      rows: Number((el as HTMLElement).dataset.rows),
      ppl: Number((el as HTMLElement).dataset.perplexity),
    }));
    expect(shown.rows).toBe(rows);
    expect(Math.abs(shown.ppl - expected)).toBeLessThan(1e-9 * expected);
    // Browse to row 5: its target's rank, as the CLI reports it.
    const rec = JSON.parse(cli(["score", npyPath, "--targets", targetsPath]).split("\n")[5]!) as {
      rank: number;
    };
    await page.$eval("#row", (el) => {
      (el as HTMLInputElement).value = "5";
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    expect(await page.$eval("#row-summary", (el) => el.textContent)).toContain(`rank ${rec.rank},`);
  });

  it("keeps working offline once loaded, and looks right in light and dark", async () => {
    await page.setOfflineMode(true);
    await setInput("top-p", "0.9");
    expect((await bars()).some((b) => b.removed)).toBe(true);
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
    await page.$eval("html", (el) => {
      el.dataset.theme = "light";
    });
    await page.screenshot({ path: join(ARTIFACTS, "playground-light.png"), fullPage: true });
    await page.click("#theme");
    expect(await page.$eval("html", (el) => el.dataset.theme)).toBe("dark");
    await page.screenshot({ path: join(ARTIFACTS, "playground-dark.png"), fullPage: true });
    await page.setOfflineMode(false);
  });
});
