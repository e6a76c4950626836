# syntax=docker/dockerfile:1

# Node.js 24 LTS. The native modules (better-sqlite3, snappy) ship prebuilt Node-API binaries, so
# no compiler is needed; one base for both stages all the same.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: compile TypeScript ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# ---- runtime: only what runs, as a non-root user ----
FROM ${NODE_IMAGE} AS runtime
# MALLOC_MMAP_THRESHOLD_: glibc maps buffers of 64 KB and more (an upload's chunks) on their own
# and gives them back to the system when freed, instead of keeping a grown heap after a large upload.
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=sqlite:/app/data/app.sqlite \
    BACKUP_DIR=/app/backups \
    MALLOC_MMAP_THRESHOLD_=65536
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node bin ./bin
# The command-line client, for `docker exec <container> hr-migrate ...` (it calls localhost:3000 by default).
RUN ln -s /app/bin/hr-migrate.js /usr/local/bin/hr-migrate \
  && mkdir -p /app/data /app/backups && chown node:node /app/data /app/backups
USER node
EXPOSE 3000
VOLUME ["/app/data", "/app/backups"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# --max-semi-space-size: see src/heap-policy.ts (SERVICE_NODE_OPTIONS).
CMD ["node", "--max-semi-space-size=16", "dist/main.js"]
