# shoutu: one image for the CLI and the three workers (ingest, detect, alert).
# TypeScript runs directly through tsx (no build step), so tsx (a devDependency) must be
# installed: do not build with NODE_ENV=production or `npm ci --omit=dev`.
FROM node:20-bookworm-slim

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
RUN npm ci --include=dev --no-audit --no-fund \
    && npm cache clean --force

COPY . .

# Code stays root-owned (read-only for the service); the app runs as the image's non-root
# `node` user (uid 1000) with one writable data directory for embedded mode.
RUN mkdir -p /app/data && chown node:node /app/data
USER node

CMD ["node", "bin/shoutu.mjs", "--help"]
