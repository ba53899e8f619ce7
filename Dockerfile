# shoutu: one image for the CLI and the three workers (ingest, detect, alert).
# The CLI runs from the bundle `npm run build` makes (dist/, esbuild); tsx (a dependency) runs the
# TypeScript sources when there is no current bundle. esbuild is a devDependency: do not build with
# NODE_ENV=production or `npm ci --omit=dev`.
#
# Two stages: the build stage has the compilers the libdeflate addon (shared/native) is built with; the
# image keeps only libdeflate's shared library. Without the addon Deflate blocks are decoded by node's
# zlib: the same bytes, about 1.4 times slower (docs/formats.md).
FROM node:20-bookworm-slim AS build

# python3, make and g++ for node-gyp; libdeflate-dev for shared/native (node's headers come with the image).
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ libdeflate-dev \
    && rm -rf /var/lib/apt/lists/*

ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

WORKDIR /app

# Dependencies first (only the manifests), so code edits reuse the cached npm ci layer.
# npm workspaces need every workspace's package.json to link @shoutu/* packages.
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY services/ingest/package.json services/ingest/
COPY services/detect/package.json services/detect/
COPY services/alert/package.json services/alert/
# npm ci's `prepare` runs these two: the bundle step (it finds no sources yet and does nothing) and the
# libdeflate addon (shared/native), which fails the build here if it was not built.
COPY scripts/build.mjs scripts/
COPY shared/native/ shared/native/
RUN npm ci --include=dev --no-audit --no-fund \
    && npm cache clean --force \
    && test -f shared/native/build/Release/shoutu_inflate.node

COPY . .
# The bundle (npm ci's build step found no sources in the layer above).
RUN npm run build

FROM node:20-bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libdeflate0 \
    && rm -rf /var/lib/apt/lists/*
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
WORKDIR /app
COPY --from=build /app /app

# Code stays root-owned (read-only for the service); the app runs as the image's non-root
# `node` user (uid 1000) with one writable data directory for embedded mode.
RUN mkdir -p /app/data && chown node:node /app/data
USER node

CMD ["node", "bin/shoutu.mjs", "--help"]
