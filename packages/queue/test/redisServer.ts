// Starts and stops a real redis-server for the tests: a unix socket in a fresh directory (or a loopback
// port), no persistence, noeviction (BullMQ needs it). Stopped by PID.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
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

/** A self-signed certificate for 127.0.0.1 (openssl), for a TLS listener. */
export function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "ignore" },
  );
  return { cert, key };
}

/** Every server started and not yet stopped: a test that times out leaves its `finally` unrun. */
const running = new Set<RedisServer>();

/** Stops every server still running (for an afterAll). */
export async function stopAllRedis(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

export async function startRedis(
  opts: { password?: string; tcp?: boolean; tls?: { cert: string; key: string } } = {},
): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "ls-redis-"));
  const socket = join(dir, "redis.sock");
  const tcp = opts.tcp === true || opts.tls !== undefined;
  const port = tcp ? await freePort() : 0;
  const args = ["--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"];
  if (opts.tls !== undefined) {
    const t = opts.tls;
    args.push("--port", "0", "--tls-port", String(port), "--tls-cert-file", t.cert, "--tls-key-file", t.key);
    args.push("--tls-ca-cert-file", t.cert, "--tls-auth-clients", "no");
  } else args.push("--port", String(port));
  if (tcp) args.push("--bind", "127.0.0.1");
  else args.push("--unixsocket", socket);
  if (opts.password !== undefined) args.push("--requirepass", opts.password);
  const child: ChildProcess = spawn("redis-server", args, { stdio: "ignore" });
  const auth = opts.password !== undefined ? opts.password : undefined;
  const url = tcp
    ? `${opts.tls !== undefined ? "rediss" : "redis"}://${auth !== undefined ? `:${auth}@` : ""}127.0.0.1:${port}`
    : `unix://${socket}${auth !== undefined ? `?password=${auth}` : ""}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const c = new Redis({
      ...(tcp ? { host: "127.0.0.1", port } : { path: socket }),
      ...(opts.tls !== undefined ? { tls: { ca: readFileSync(opts.tls.cert) } } : {}),
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
  const server: RedisServer = {
    url,
    pid: child.pid!,
    async stop() {
      running.delete(server);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(server);
  return server;
}
