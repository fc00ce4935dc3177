# syntax=docker/dockerfile:1
# An OptLab worker for a BullMQ queue on Redis: `optlab worker`, configured from the environment.
#
#   docker build -f deploy/worker.Dockerfile -t optlab-worker:0.1.0 .
#   docker run --rm -e OPTLAB_ENGINE='rediss://optlab:PASSWORD@redis.example:6380' optlab-worker:0.1.0
#
# Environment (every option of `optlab worker --engine`, see deploy/README.md):
#   OPTLAB_ENGINE        redis[s]://[user:password@]host[:port][?prefix=NAME]   (required; a secret)
#   OPTLAB_SLOTS         jobs at once, one core each (default: the cores the container sees)
#   OPTLAB_WORKER_NAME   shown by `optlab workers` (default: hostname-pid)
#   OPTLAB_GRACE         seconds a stopping worker lets its jobs finish (default 30)
#   OPTLAB_LOCK_SECONDS  BullMQ lock duration (default 60)
#   OPTLAB_KERNELS       wasm-simd or js, to force a kernel set (must match the Lab's)
ARG NODE_IMAGE=node:20-bookworm-slim

# The WebAssembly kernels, compiled with the lockfile's AssemblyScript (a devDependency, so not
# in the runtime's install). Their build id names the queue the worker serves: the Lab and its
# workers must come from the same sources.
FROM ${NODE_IMAGE} AS kernels
WORKDIR /src
COPY package-lock.json ./
RUN mkdir /asc && cd /asc \
 && npm install --no-save --no-package-lock --ignore-scripts --no-audit --no-fund \
      "assemblyscript@$(node -p "require('/src/package-lock.json').packages['node_modules/assemblyscript'].version")"
COPY scripts/build-wasm.mjs scripts/
COPY shared/linalg/wasm/src shared/linalg/wasm/src
RUN ln -s /asc/node_modules node_modules && node scripts/build-wasm.mjs

# Production dependencies only. better-sqlite3 builds from source (.prebuild-installrc), which
# needs a compiler here but not in the final image. npm ci runs the package's `prepare` scripts,
# which find no devDependencies (AssemblyScript, Vite) here and build nothing, but must exist.
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/optlab
COPY package.json package-lock.json .prebuild-installrc ./
COPY scripts/build-wasm.mjs scripts/build-renderer.mjs scripts/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /opt/optlab
COPY --from=deps /opt/optlab/node_modules node_modules
COPY package.json ./
COPY bin bin
COPY shared shared
COPY worker worker
COPY app app
COPY --from=kernels /src/shared/linalg/wasm/kernels.generated.ts shared/linalg/wasm/
# Not root: the image's own `node` user (uid 1000). Nothing in /opt/optlab is writable by it.
USER node
# SIGTERM (Kubernetes stopping the pod) drains: no new jobs, held ones finish within OPTLAB_GRACE.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/opt/optlab/bin/optlab.mjs", "worker"]
