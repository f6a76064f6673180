// Starts and stops a real redis-server for the tests: a unix socket in a fresh directory (or a loopback
// port), no persistence, noeviction (BullMQ needs it). Stopped by PID.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";

export interface RedisServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** A free loopback port (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startRedis(opts: { password?: string; tcp?: boolean } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "ls-redis-"));
  const socket = join(dir, "redis.sock");
  const port = opts.tcp ? await freePort() : 0;
  const args = [
    "--port",
    String(port),
    "--save",
    "",
    "--appendonly",
    "no",
    "--maxmemory-policy",
    "noeviction",
  ];
  if (opts.tcp) args.push("--bind", "127.0.0.1");
  else args.push("--unixsocket", socket);
  if (opts.password !== undefined) args.push("--requirepass", opts.password);
  const child: ChildProcess = spawn("redis-server", args, { stdio: "ignore" });
  const auth = opts.password !== undefined ? opts.password : undefined;
  const url = opts.tcp
    ? `redis://${auth !== undefined ? `:${auth}@` : ""}127.0.0.1:${port}`
    : `unix://${socket}${auth !== undefined ? `?password=${auth}` : ""}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const c = new Redis({
      ...(opts.tcp ? { host: "127.0.0.1", port } : { path: socket }),
      ...(auth !== undefined ? { password: auth } : {}),
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    c.on("error", () => {});
    try {
      await c.connect();
      await c.ping();
      c.disconnect();
      break;
    } catch {
      c.disconnect();
      if (Date.now() > deadline) throw new Error("redis-server did not start");
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
