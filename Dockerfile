# The relay (Cloud Run): WebSocket and Socket.IO to agent desktops, plus the desktop-facing HTTP routes.
# Built and pushed by cloudbuild.yaml; docs/deploy.md explains each setting. Node 24 (active LTS; the code
# also runs on 20 and 22, see package.json "engines"). test/deploy-relay-image.test.ts assembles the runtime
# stage from these instructions, runs it as a non-root user and stops it with SIGTERM.

# --- build: every dependency, TypeScript compiled to dist/, the browser client bundled ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY functions ./functions
COPY scripts/build-client.mjs ./scripts/build-client.mjs
# tsc for the server; the desktop client's browser module (served at /relay-client.js) lands in dist/src too.
RUN npx tsc -p tsconfig.json && node scripts/build-client.mjs

# --- runtime: production dependencies only (no operator tools' clients), compiled code, non-root ---
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
# The image's own unprivileged user (uid 1000); nothing under /app is writable by it.
USER node
# Cloud Run sets PORT; the relay listens on it (0.0.0.0 in production).
EXPOSE 8080
CMD ["node", "dist/src/app/relay-main.js"]
