// A small logitstream HTTP server on node:http: POST /v1/sample and POST /v1/score, JSON in and out.
//
//   node examples/http-server/server.mjs            # listens on PORT (default 8080); pnpm build first
//   curl -s localhost:8080/v1/sample -d '{"logits": [[1, 2, 3]], "temperature": 0.7, "top_p": 0.9, "seed": 7, "top_logprobs": 2}'
//
// Parameters may be written camelCase or OpenAI/vLLM snake_case (core's fromSnakeCaseParams). Bad bodies
// get a 4xx with { error: { code, message } }; a full pool queue gets 503 with Retry-After.
//
// The server rule for the pool (docs/ARCHITECTURE.md, pool): inlineThreshold 0, so no request runs on
// the event-loop thread, and a finite maxQueue, so load beyond what the workers can take is refused
// at once (503) instead of queueing without bound.
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import {
  InvalidParamsError,
  LogitstreamError,
  splitSamplerParams,
  validateSamplerParams,
} from "@logitstream/core";
import { createPool, PoolBusyError } from "@logitstream/pool";

/** Largest request body accepted (bytes): rows × vocab is bounded by it. */
export const MAX_BODY_BYTES = 8 << 20;

/** A client error: its status and a stable code. */
class HttpError extends Error {
  constructor(status, code, message, headers = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/**
 * Starts the server. Returns `{ url, server, pool, close }`; `close()` stops listening and the pool.
 * Options: `port` (0 = any free port), `host`, `threads`, `maxQueue`.
 */
export async function startServer({ port = 8080, host = "127.0.0.1", threads = 2, maxQueue = 64 } = {}) {
  const pool = createPool({ threads, inlineThreshold: 0, maxQueue });
  const server = createServer((req, res) => {
    handle(req, pool).then(
      (body) => send(res, 200, body),
      (err) => sendError(res, err),
    );
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const { port: actual } = server.address();
  return {
    url: `http://${host}:${actual}`,
    server,
    pool,
    async close() {
      await new Promise((resolve) => {
        server.close(resolve);
        server.closeIdleConnections();
      });
      await pool.close();
    },
  };
}

async function handle(req, pool) {
  const routes = { "/v1/sample": sample, "/v1/score": score };
  const route = routes[new URL(req.url, "http://x").pathname];
  if (route === undefined) throw new HttpError(404, "not_found", "POST /v1/sample or /v1/score");
  if (req.method !== "POST") throw new HttpError(405, "method_not_allowed", "use POST", { allow: "POST" });
  const body = await readJson(req);
  return route(body, pool);
}

/** POST /v1/sample: { logits: number[] | number[][], ...sampler params, logprobs? | top_logprobs? } */
async function sample(body, pool) {
  const { logits, ...rest } = body;
  const batch = toBatch(logits);
  const { sampler, rest: options } = splitSamplerParams(rest);
  const { logprobs = 0, ...unknown } = options;
  rejectUnknown(unknown);
  validateSamplerParams(sampler);
  const r = await pool.sample(batch, sampler, { logprobs });
  const n = r.topTokens === undefined ? 0 : r.topTokens.length / batch.rows;
  const rows = [];
  for (let i = 0; i < batch.rows; i++) {
    const row = { token: r.tokens[i], logprob: r.logprobs[i], rank: r.ranks[i] };
    if (n > 0) row.top_logprobs = top(r.topTokens, r.topLogprobs, i, n);
    rows.push(row);
  }
  return { rows };
}

/** POST /v1/score: { logits: number[][], targets: number[], top? } */
async function score(body, pool) {
  const { logits, targets, top: nTop = 0, ...unknown } = body;
  rejectUnknown(unknown);
  const batch = toBatch(logits);
  if (!Array.isArray(targets) || targets.length !== batch.rows || !targets.every(Number.isInteger)) {
    throw new HttpError(
      400,
      "invalid_targets",
      `"targets" must be ${batch.rows} integer token ids (-1 = none)`,
    );
  }
  const r = await pool.score(batch, { targets: Int32Array.from(targets), top: nTop });
  const n = r.topTokens === undefined ? 0 : r.topTokens.length / batch.rows;
  const rows = [];
  let nll = 0;
  let scored = 0;
  for (let i = 0; i < batch.rows; i++) {
    const row = { target: targets[i], entropy: r.entropies[i] };
    if (targets[i] >= 0) {
      row.logprob = r.logprobs[i];
      row.rank = r.ranks[i];
      nll -= r.logprobs[i];
      scored++;
    }
    if (n > 0) row.top_logprobs = top(r.topTokens, r.topLogprobs, i, n);
    rows.push(row);
  }
  const summary =
    scored > 0 ? { rows: scored, mean_nll: nll / scored, perplexity: Math.exp(nll / scored) } : null;
  return { rows, summary };
}

function top(ids, lps, row, n) {
  const out = [];
  for (let k = row * n; k < row * n + n; k++) out.push({ token: ids[k], logprob: lps[k] });
  return out;
}

/** `logits`: one row (numbers) or rows of one length; `null` is a banned token (-Infinity). */
function toBatch(logits) {
  if (!Array.isArray(logits) || logits.length === 0) {
    throw new HttpError(
      400,
      "invalid_logits",
      '"logits" must be a non-empty array of numbers, or of rows of numbers',
    );
  }
  const rows = Array.isArray(logits[0]) ? logits : [logits];
  const vocab = rows[0].length;
  const data = new Float32Array(rows.length * vocab);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row) || row.length !== vocab) {
      throw new HttpError(400, "invalid_logits", `"logits" row ${r} must be an array of ${vocab} numbers`);
    }
    for (let i = 0; i < vocab; i++) {
      const v = row[i];
      if (v === null) data[r * vocab + i] = Number.NEGATIVE_INFINITY;
      else if (typeof v === "number") data[r * vocab + i] = v;
      else
        throw new HttpError(
          400,
          "invalid_logits",
          `"logits" row ${r}, index ${i}: expected a number or null, got ${JSON.stringify(v)}`,
        );
    }
  }
  return { data, rows: rows.length, vocab };
}

function rejectUnknown(unknown) {
  const names = Object.keys(unknown);
  if (names.length > 0) throw new InvalidParamsError(names[0], "unknown parameter for this endpoint");
}

async function readJson(req) {
  const type = req.headers["content-type"] ?? "application/json";
  if (!/^application\/json\b|^application\/x-www-form-urlencoded\b/.test(type)) {
    throw new HttpError(415, "unsupported_media_type", "send a JSON body (content-type: application/json)");
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, "body_too_large", `the body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  let body;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (cause) {
    throw new HttpError(400, "invalid_json", `the body is not JSON: ${cause.message}`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new HttpError(400, "invalid_body", "the body must be a JSON object");
  }
  return body;
}

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v));
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendError(res, err) {
  if (err instanceof HttpError)
    return send(res, err.status, { error: { code: err.code, message: err.message } }, err.headers);
  if (err instanceof PoolBusyError) {
    return send(res, 503, { error: { code: err.code, message: err.message } }, { "retry-after": "1" });
  }
  // The library's typed errors for bad input (params, logits, targets) are the client's mistake.
  if (err instanceof LogitstreamError && /^E_INVALID_/.test(err.code)) {
    return send(res, 400, { error: { code: err.code, message: err.message } });
  }
  send(res, 500, { error: { code: "internal", message: "internal error" } });
  console.error(err);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const s = await startServer({ port: Number(process.env.PORT ?? 8080) });
  console.log(`listening on ${s.url}`);
  process.once("SIGINT", () => s.close());
}
