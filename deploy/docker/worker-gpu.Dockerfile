# syntax=docker/dockerfile:1
# GPU worker. @tensorflow/tfjs-node-gpu 4.22.0 links libtensorflow 2.9.1, which was built against
# CUDA 11.2 and cuDNN 8.1: the base image must carry exactly those (a newer CUDA makes tfjs-node-gpu
# silently fall back to the CPU). Needs an NVIDIA driver >= 450.80.02 on the host and the NVIDIA
# Container Toolkit. Build from the repository root:
#   docker build -f deploy/docker/worker-gpu.Dockerfile -t shardgrad-worker-gpu:0.1.0 .
FROM node:20-bookworm-slim AS node

FROM debian:bookworm-slim AS datasets
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends dataset-fashion-mnist \
 && rm -rf /var/lib/apt/lists/*

FROM nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04
# Node from the official image (glibc 2.28 or newer is enough; Ubuntu 20.04 has 2.31).
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
# The compilers only matter if tfjs-node-gpu's prebuilt binding is missing for this Node ABI.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY --from=datasets /usr/share/datasets /usr/share/datasets

RUN useradd --uid 1000 --create-home shardgrad && mkdir -p /app && chown shardgrad:shardgrad /app
WORKDIR /app
# `shardgrad` itself is PID 1, not npx: npx runs it under `sh -c` and does not pass SIGTERM on,
# so `docker stop` and pod termination would never reach the coordinator or the launcher.
ENV PATH=/app/node_modules/.bin:$PATH
USER shardgrad
COPY --chown=shardgrad:shardgrad . .
# tfjs-node-gpu is installed here, at image build time (its install script fetches libtensorflow),
# at exactly the version of @tensorflow/tfjs so that only one tfjs-core registers kernels.
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm install --no-save --omit=dev --no-audit --no-fund --ignore-scripts=false @tensorflow/tfjs-node-gpu@4.22.0

# TensorFlow would otherwise reserve nearly all GPU memory at start-up.
ENV TF_FORCE_GPU_ALLOW_GROWTH=true
# CIFAR-10 for the transfer model, fetched as on a developer's machine (the workers load it too).
ENV SHARDGRAD_CIFAR10_DIR=/app/data/cifar-10
RUN bash scripts/fetch-cifar10.sh
# One worker process per GPU, each pinned to its own device; the coordinator comes from
# MASTER_ADDR / MASTER_PORT (or SHARDGRAD_URL), the fleet rank from NODE_RANK.
CMD ["shardgrad", "launch", "--join", "--nproc-per-node", "1", "--pin-gpus"]
