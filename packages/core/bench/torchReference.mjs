// PyTorch CPU on one thread as a reference column for the kernels bench: a Python child process that
// receives the bench's own row and, once per interleaved round, times torch.log_softmax and
// torch.softmax on it (each into a reused `out` tensor and into a fresh one, as `fn(row)` does). When
// no Python with torch is found the bench says so and leaves the column out — it never fails for it.
// Never run in CI (the bench is not).
//
// Python: $LOGITSTREAM_TORCH_PYTHON, else /usr/bin/python3 (Debian's python3-torch; a `python3` on
// PATH may be a pyenv shim without torch).
//
// `capability` sets PyTorch's ATEN_CPU_CAPABILITY for the child: "default" makes it run the kernels it
// builds for any x86-64 instead of the AVX2 ones it picks on this machine (eight lanes and fused
// multiply-add) — how fast PyTorch's own code is without the instructions WebAssembly SIMD lacks.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const SCRIPT = `
import sys, json, time
try:
    import torch
except Exception as e:
    print(json.dumps({"absent": repr(e)}), flush=True)
    sys.exit(0)
torch.set_num_threads(1)
V = int(sys.argv[1]); ROUND_MS = float(sys.argv[2])
raw = sys.stdin.buffer.read(4 * V)
x = torch.frombuffer(bytearray(raw), dtype=torch.float32)
out = torch.empty(V)
ops = {
    "log-softmax": lambda: torch.log_softmax(x, 0, out=out),
    "log-softmax fresh": lambda: torch.log_softmax(x, 0),
    "softmax": lambda: torch.softmax(x, 0, out=out),
    "softmax fresh": lambda: torch.softmax(x, 0),
}
iters = {}
for name, f in ops.items():
    n, t0 = 0, time.perf_counter()
    while n < 5 or time.perf_counter() - t0 < 0.15:
        f(); n += 1
    iters[name] = max(1, round(ROUND_MS / 1000 / ((time.perf_counter() - t0) / n)))
print(json.dumps({"version": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    if line.strip() != "round":
        break
    res = {}
    for name, f in ops.items():
        n = iters[name]
        c0, w0 = time.process_time_ns(), time.perf_counter_ns()
        for _ in range(n):
            f()
        res[name] = [(time.process_time_ns() - c0) / (n * V), (time.perf_counter_ns() - w0) / (n * V)]
    print(json.dumps(res), flush=True)
`;

/**
 * Starts the child on row `x`. Resolves to null (with the reason in `absentReason`) when torch is not
 * available, else to `{ version, round() }` where `round()` resolves to `{ op: [cpu ns/el, wall ns/el] }`.
 */
export async function startTorch(x, roundMs, capability) {
  const python = process.env.LOGITSTREAM_TORCH_PYTHON ?? "/usr/bin/python3";
  const env = capability === undefined ? process.env : { ...process.env, ATEN_CPU_CAPABILITY: capability };
  let child;
  try {
    child = spawn(python, ["-c", SCRIPT, String(x.length), String(roundMs)], {
      stdio: ["pipe", "pipe", "ignore"],
      env,
    });
  } catch (e) {
    return { absent: `${python}: ${e.message}` };
  }
  const lines = createInterface({ input: child.stdout });
  const queue = [];
  const waiting = [];
  lines.on("line", (l) => (waiting.length > 0 ? waiting.shift()(l) : queue.push(l)));
  const ended = new Promise((resolve) => {
    child.on("error", (e) => resolve(JSON.stringify({ absent: `${python}: ${e.message}` })));
    child.on("close", () => resolve(JSON.stringify({ absent: `${python} exited` })));
  });
  const next = () =>
    Promise.race([queue.length > 0 ? queue.shift() : new Promise((r) => waiting.push(r)), ended]).then((l) =>
      JSON.parse(l),
    );
  child.stdin.on("error", () => {});
  child.stdin.write(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  const hello = await next();
  if (hello.absent) {
    child.kill();
    return { absent: hello.absent };
  }
  return {
    version: hello.version,
    round() {
      child.stdin.write("round\n");
      return next();
    },
    stop() {
      child.stdin.end();
    },
  };
}
