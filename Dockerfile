# syntax=docker/dockerfile:1
# aiwatch in one image: `docker run aiwatch exporter|receiver|rules|dashboards|demo ...`.
# Node 24 LTS: better-sqlite3 12 (the receiver's store, kept for Node 20 hosts) supports
# Node up to 25, so the image tracks the newest LTS it builds against.
FROM node:24-bookworm-slim AS build
WORKDIR /app
# node-gyp needs these when better-sqlite3 has no prebuilt binary for the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json tsconfig.lib.json ./
COPY bin ./bin
COPY cli ./cli
COPY core ./core
COPY spec ./spec
COPY rulegen ./rulegen
COPY exporters ./exporters
COPY webhook-receiver ./webhook-receiver
COPY dashboards ./dashboards
COPY demo ./demo
COPY bench ./bench
COPY test/support ./test/support
# `npm ci` runs the `prepare` script, which compiles to dist/.
RUN npm ci && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/demo/demo-spec.yaml ./demo/demo-spec.yaml
COPY --from=build /app/node_modules ./node_modules
# The receiver's chart PNGs (resvg) draw their text with the system's fonts.
RUN apt-get update \
  && apt-get install -y --no-install-recommends fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*
# Runs as the image's unprivileged `node` user, by number: Kubernetes can enforce
# runAsNonRoot only for a numeric USER. State goes to volumes it owns.
RUN mkdir -p /var/lib/aiwatch && chown 1000:1000 /var/lib/aiwatch
USER 1000:1000
EXPOSE 9401 9095
ENTRYPOINT ["node", "/app/bin/aiwatch.js"]
CMD ["--help"]
