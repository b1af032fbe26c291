# One image for the gateway, all five subgraphs and the simulated biller; docker-compose.yml picks the service with
# `command: ["node", "scripts/serve.ts", "<service>"]`. There is no build step: Node 24 runs the
# TypeScript sources directly (type stripping), so the image holds sources and production
# dependencies only.

FROM node:24-slim AS deps
ENV NODE_ENV=production \
    CI=true \
    COREPACK_ENABLE_DOWNLOAD_PROMPT=0
WORKDIR /app
# pnpm at the version package.json's packageManager pins.
COPY package.json ./
RUN corepack enable && corepack install
# The lockfile and every workspace manifest before any source, so this layer is rebuilt only when
# dependencies change. A new workspace package needs its package.json listed here.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
COPY platform/package.json platform/
COPY gateway/package.json gateway/
COPY launcher/package.json launcher/
COPY biller/package.json biller/
COPY subgraphs/identity/package.json subgraphs/identity/
COPY subgraphs/wallet/package.json subgraphs/wallet/
COPY subgraphs/jars/package.json subgraphs/jars/
COPY subgraphs/transactions/package.json subgraphs/transactions/
COPY subgraphs/ledger/package.json subgraphs/ledger/
COPY contracts/events/package.json contracts/events/
COPY contracts/sdk/package.json contracts/sdk/
COPY tests/package.json tests/
COPY bench/package.json bench/
RUN pnpm install --frozen-lockfile --prod

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
# node_modules (root and per package) from the install stage, then the sources (.dockerignore
# keeps node_modules out of the context, so nothing installed is overwritten).
COPY --from=deps /app ./
COPY . .
USER node
EXPOSE 4000 4001 4002 4003 4004 4005 4010
CMD ["node", "scripts/serve.ts", "gateway"]
