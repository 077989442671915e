# One image for both processes; docker-compose.yml picks the entry point per service
# (node dist/worker/main.js or node dist/api/main.js).
#
# bookworm-slim rather than alpine: @temporalio/worker's native core is built against glibc.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Manifests first, so editing source does not invalidate the dependency layer.
COPY package.json package-lock.json ./
# No install scripts: package.json's allowScripts denies every package that has one, and none is
# needed (the native bindings ship as prebuilt, per-platform optional packages).
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
# The whole of dist/, not just the entry points: the worker bundles its workflow code at start-up
# from dist/workflows, and that bundle pulls in whatever those files import.
COPY --from=build /app/dist ./dist
# Files stay owned by root, so a compromised process cannot rewrite the code it runs.
USER node
CMD ["node", "dist/worker/main.js"]
