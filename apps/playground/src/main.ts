// The page: loads the embedded n-gram model, then wires the sampler controls to three views — the next
// token's distribution stage by stage, generation token by token, and a logits file's rows. All the
// numbers come from @logitstream/core (the same code as the CLI), so the page shows what the CLI does.
import "./style.css";
import { type SamplerParams, validateSamplerParams } from "@logitstream/core";
import { BpeTokenizer, modelFromBytes, type NgramModel } from "@logitstream/ngram/browser";
import { formatFromPath } from "@logitstream/wire";
import { type GeneratedToken, generateTokens } from "./generateTokens.js";
import { renderBars } from "./renderBars.js";
import { type FileScan, fileReader, scanLogitsFile } from "./scanLogitsFile.js";
import { traceStages } from "./stageTrace.js";
import { tokenLabel } from "./tokenLabel.js";
import { type RowView, rowView } from "./topTokens.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $("status");
const tokenizer = new BpeTokenizer();
const label = (token: number) => tokenLabel(tokenizer.tokenBytes(token));

/** The sliders, as core's params (only the ones that differ from core's defaults are set). */
const SLIDERS: readonly [id: string, key: keyof SamplerParams, off: number][] = [
  ["temperature", "temperature", 1],
  ["top-k", "topK", 0],
  ["top-p", "topP", 1],
  ["min-p", "minP", 0],
  ["typical-p", "typicalP", 1],
  ["repetition-penalty", "repetitionPenalty", 1],
  ["frequency-penalty", "frequencyPenalty", 0],
  ["presence-penalty", "presencePenalty", 0],
];

function readParams(): SamplerParams {
  const p: Record<string, unknown> = {};
  for (const [id, key, off] of SLIDERS) {
    const v = Number($<HTMLInputElement>(id).value);
    $(`${id}-value`).textContent = String(v);
    if (v !== off) p[key] = v;
  }
  const order = $<HTMLInputElement>("samplers").value.trim();
  if (order !== "") p.samplers = order.split(/[\s,]+/).filter(Boolean);
  p.seed = Number($<HTMLInputElement>("seed").value) || 0;
  validateSamplerParams(p as SamplerParams);
  return p as SamplerParams;
}

// ---- the theme: follows the system until the button is used ----
const themeButton = $<HTMLButtonElement>("theme");
function setTheme(dark: boolean): void {
  document.documentElement.dataset.theme = dark ? "dark" : "light";
  themeButton.setAttribute("aria-pressed", String(dark));
  themeButton.textContent = dark ? "Light theme" : "Dark theme";
}
setTheme(matchMedia("(prefers-color-scheme: dark)").matches);
themeButton.addEventListener("click", () => setTheme(document.documentElement.dataset.theme !== "dark"));

// ---- the step view ----
let model: NgramModel | undefined;
let redraws = 0;
function redrawStep(): void {
  if (model === undefined) return;
  let params: SamplerParams;
  try {
    params = readParams();
    $("params-error").textContent = "";
  } catch (e) {
    $("params-error").textContent = (e as Error).message;
    return;
  }
  const t0 = performance.now();
  const { context, logits, view, probs } = rowOf($<HTMLTextAreaElement>("context").value, model);
  let trace: ReturnType<typeof traceStages>;
  try {
    trace = traceStages(logits, params, { history: context });
  } catch (e) {
    $("params-error").textContent = (e as Error).message;
    return;
  }
  // Which stage removed each bar's token: the first stage whose kept set lacks it.
  const removedBy = new Map<number, string>();
  for (const bar of view.top) {
    const step = trace.steps.find((s) => !includes(s.kept, bar.token));
    if (step !== undefined) removedBy.set(bar.token, step.name);
  }
  const kept = trace.steps.length > 0 ? trace.steps[trace.steps.length - 1]!.kept : undefined;
  let keptMass = 1;
  if (kept !== undefined) {
    keptMass = 0;
    for (const t of kept) keptMass += probs[t]!;
  }
  renderBars($("bars"), view.top, { label, removedBy, chosen: trace.token });
  const ms = performance.now() - t0;
  const keptCount = kept === undefined ? logits.length : kept.length;
  $("step-summary").textContent =
    `entropy ${view.entropy.toFixed(3)} nats · kept ${keptCount.toLocaleString("en-US")} of ${logits.length.toLocaleString("en-US")} tokens, ` +
    `raw mass ${keptMass.toFixed(4)} · chosen ${label(trace.token)} (p ${Math.exp(trace.logprob).toFixed(4)}) · ${ms.toFixed(1)} ms`;
  $("step-summary").dataset.ms = ms.toFixed(3);
  $("step-summary").dataset.kept = keptCount.toString();
  $("step-summary").dataset.chosen = trace.token.toString();
  $("step-summary").dataset.redraws = String(++redraws);
}

/** What depends on the context only: computed once per context, so a slider re-runs just the chain. */
interface ContextRow {
  text: string;
  context: number[];
  logits: Float32Array;
  view: RowView;
  /** Raw probabilities, for the kept mass. */
  probs: Float64Array;
}
let cached: ContextRow | undefined;
function rowOf(text: string, m: NgramModel): ContextRow {
  if (cached?.text !== text) {
    const context = text === "" ? [] : tokenizer.encode(text);
    const logits = m.next(context).slice();
    const view = rowView(logits, 30);
    cached = { text, context, logits, view, probs: Float64Array.from(view.logprobs, Math.exp) };
  }
  return cached;
}

/** Binary search in an ascending id list. */
function includes(sorted: Int32Array, id: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] === id;
}

// ---- generation ----
let generation: AbortController | undefined;
const tooltip = document.createElement("div");
tooltip.id = "tooltip";
tooltip.hidden = true;
document.body.append(tooltip);

function tokenSpan(t: GeneratedToken): HTMLSpanElement {
  const span = document.createElement("span");
  span.textContent = t.text;
  span.dataset.p = t.prob.toFixed(6);
  span.dataset.token = String(t.token);
  span.tabIndex = 0;
  // Low probability → warm, high → cool, at a fixed lightness that reads in both themes.
  span.style.background = `hsl(${Math.round(120 * t.prob)} 70% 50% / 0.28)`;
  const lines = [
    `${label(t.token)}  p ${t.prob.toFixed(4)}`,
    ...t.alternatives.map((a) => `  ${label(a.token)}  ${a.prob.toFixed(4)}`),
  ];
  span.setAttribute("aria-label", lines.join(", "));
  const show = () => {
    const r = span.getBoundingClientRect();
    tooltip.textContent = lines.join("\n");
    tooltip.style.left = `${Math.round(r.left)}px`;
    tooltip.style.top = `${Math.round(r.bottom + 4)}px`;
    tooltip.hidden = false;
  };
  const hide = () => {
    tooltip.hidden = true;
  };
  span.addEventListener("mouseenter", show);
  span.addEventListener("focus", show);
  span.addEventListener("mouseleave", hide);
  span.addEventListener("blur", hide);
  return span;
}

async function runGeneration(): Promise<void> {
  if (model === undefined) return;
  let params: SamplerParams;
  try {
    params = readParams();
  } catch (e) {
    $("params-error").textContent = (e as Error).message;
    return;
  }
  generation?.abort();
  const controller = new AbortController();
  generation = controller;
  const out = $("text");
  const prompt = $<HTMLTextAreaElement>("context").value;
  out.replaceChildren();
  const head = document.createElement("span");
  head.className = "prompt";
  head.textContent = prompt;
  out.append(head);
  $<HTMLButtonElement>("stop").disabled = false;
  $("generate-status").textContent = "generating…";
  delete $("generate-status").dataset.done;
  const maxTokens = Math.max(1, Number($<HTMLInputElement>("max-tokens").value) || 40);
  let n = 0;
  try {
    for await (const t of generateTokens(model, tokenizer, prompt, params, {
      maxTokens,
      signal: controller.signal,
    })) {
      out.append(tokenSpan(t));
      n++;
    }
    $("generate-status").textContent =
      `${n} tokens (seed ${params.seed ?? 0})${controller.signal.aborted ? ", stopped" : ""}`;
  } catch (e) {
    $("generate-status").textContent = (e as Error).message;
  } finally {
    $<HTMLButtonElement>("stop").disabled = true;
    $("generate-status").dataset.done = "true";
  }
}

// ---- a logits file ----
let scan: FileScan | undefined;
async function openFile(file: File): Promise<void> {
  const summary = $("file-summary");
  summary.textContent = `reading ${file.name}…`;
  delete summary.dataset.done;
  scan = undefined;
  $<HTMLInputElement>("row").disabled = true;
  try {
    const format = formatFromPath(file.name) ?? undefined;
    const tensor = $<HTMLInputElement>("tensor").value.trim();
    const targetsFile = $<HTMLInputElement>("targets").files?.[0];
    const targets = targetsFile === undefined ? undefined : parseTargets(await targetsFile.text());
    scan = await scanLogitsFile(fileReader(file), {
      ...(format === undefined ? {} : { format }),
      ...(tensor === "" ? {} : { tensor }),
      ...(targets === undefined ? {} : { targets }),
      onProgress: (rows, bytes) => {
        summary.textContent = `reading ${file.name}: ${rows.toLocaleString("en-US")} rows, ${((100 * bytes) / Math.max(1, file.size)).toFixed(0)}%`;
      },
    });
    summary.textContent =
      `${scan.rows.toLocaleString("en-US")} rows of ${scan.vocab.toLocaleString("en-US")} logits · ` +
      (scan.scored > 0
        ? `perplexity ${scan.perplexity.toPrecision(7)} over ${scan.scored} rows with a target`
        : "no targets");
    summary.dataset.perplexity = String(scan.perplexity);
    summary.dataset.rows = String(scan.rows);
    const row = $<HTMLInputElement>("row");
    row.max = String(Math.max(0, scan.rows - 1));
    row.value = "0";
    row.disabled = false;
    showRow(0);
  } catch (e) {
    summary.textContent = (e as Error).message;
  } finally {
    summary.dataset.done = "true";
  }
}

/** A targets file as `score --targets` reads it: whitespace-separated token ids, −1 = none. */
function parseTargets(text: string): Int32Array {
  const words = text.split(/\s+/).filter(Boolean);
  return Int32Array.from(words, (w, i) => {
    const v = Number(w);
    if (!(Number.isInteger(v) && v >= -1 && v < 2 ** 31))
      throw new Error(`targets file, entry ${i}: "${w}" is not a token id`);
    return v;
  });
}

function showRow(r: number): void {
  if (scan === undefined || !(r >= 0 && r < scan.rows)) return;
  const k = scan.top;
  const bars = [];
  for (let j = 0; j < k; j++) {
    const token = scan.topTokens[r * k + j]!;
    if (token < 0) break;
    const lp = scan.topLogprobs[r * k + j]!;
    bars.push({ token, logprob: lp, prob: Math.exp(lp) });
  }
  const vocabIsModel = scan.vocab === tokenizer.vocabSize;
  renderBars($("row-bars"), bars, {
    label: (t) => (vocabIsModel ? label(t) : `#${t}`),
    removedBy: new Map(),
    chosen: scan.targets[r]!,
  });
  const t = scan.targets[r]!;
  $("row-summary").textContent =
    `row ${r}: entropy ${scan.entropies[r]!.toFixed(4)} nats` +
    (t >= 0
      ? ` · target ${vocabIsModel ? label(t) : `#${t}`}: rank ${scan.ranks[r]}, logprob ${scan.logprobs[r]!.toFixed(4)}`
      : " · no target");
}

// ---- start ----
async function start(): Promise<void> {
  const res = await fetch(new URL("model.lsng.gz", document.baseURI));
  if (!res.ok) throw new Error(`could not load the model (HTTP ${res.status})`);
  model = await modelFromBytes(new Uint8Array(await res.arrayBuffer()));
  status.textContent = `Embedded model ready: ${model.order}-gram, ${model.vocabSize.toLocaleString("en-US")} tokens.`;
  document.body.dataset.ready = "true";
  redrawStep();
}

for (const [id] of SLIDERS) $(id).addEventListener("input", redrawStep);
for (const id of ["samplers", "seed", "context"]) $(id).addEventListener("input", redrawStep);
$("go").addEventListener("click", () => void runGeneration());
$("stop").addEventListener("click", () => generation?.abort());
$<HTMLInputElement>("file").addEventListener("change", (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file !== undefined) void openFile(file);
});
$<HTMLInputElement>("row").addEventListener("input", (e) =>
  showRow(Number((e.target as HTMLInputElement).value)),
);
start().catch((e: Error) => {
  status.textContent = e.message;
});
