// Health check for the coordinator container (Dockerfile HEALTHCHECK, compose healthcheck):
// GET http://127.0.0.1:<port><path>, exit 0 on a 2xx answer, 1 otherwise. Plain Node (no tsx, no
// npx) because it runs every few seconds. The port is found the way `shardgrad coordinator` finds it.
const path = process.argv[2] ?? '/healthz';
const port = process.env.SHARDGRAD_PORT ?? process.env.MASTER_PORT ?? '8080';
try {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2500) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
