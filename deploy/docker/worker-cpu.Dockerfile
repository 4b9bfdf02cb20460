# syntax=docker/dockerfile:1
# CPU worker: tfjs-node (libtensorflow on the CPU, every core), falling back to the wasm backend if
# the native binding cannot load. Build from the repository root:
#   docker build -f deploy/docker/worker-cpu.Dockerfile -t shardgrad-worker-cpu:0.1.0 .
FROM node:20-bookworm-slim

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends dataset-fashion-mnist ca-certificates python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

RUN mkdir -p /app && chown node:node /app
WORKDIR /app
# `shardgrad` itself is PID 1, not npx: npx runs it under `sh -c` and does not pass SIGTERM on,
# so `docker stop` and pod termination would never reach the coordinator or the launcher.
ENV PATH=/app/node_modules/.bin:$PATH
USER node
COPY --chown=node:node . .
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm install --no-save --omit=dev --no-audit --no-fund --ignore-scripts=false @tensorflow/tfjs-node@4.22.0

# CIFAR-10 for the transfer model, fetched as on a developer's machine (the workers load it too).
ENV SHARDGRAD_CIFAR10_DIR=/app/data/cifar-10
RUN bash scripts/fetch-cifar10.sh
CMD ["shardgrad", "launch", "--join", "--nproc-per-node", "1"]
