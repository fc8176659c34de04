# The control plane's image (API, worker, migrations): compiled JavaScript on Node.js, production
# dependencies only, non-root. Template dependencies are installed here too, so workers build
# tenant images with no network inside Docker. NODE_IMAGE is node:22-alpine by default; point it
# at a local image on a machine that cannot pull.
ARG NODE_IMAGE=node:22-alpine

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY sdk/package.json sdk/package.json
COPY cli/package.json cli/package.json
COPY patches patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY api api
COPY worker worker
COPY shared shared
COPY scripts scripts
# The dashboard (built into dist/dashboard) is typed by the SDK's generated API types.
COPY dashboard dashboard
COPY sdk/src sdk/src
# The SDK and the CLI, compiled to sdk/dist and cli/dist by the same `npm run build`.
COPY sdk/tsconfig.build.json sdk/tsconfig.build.json
COPY cli/src cli/src
COPY cli/tsconfig.build.json cli/tsconfig.build.json
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches patches
RUN npm ci --omit=dev --no-audit --no-fund
# The Go servers of go/stdlib and static/html (tenant-templates/*/server) come compiled from the
# build context: scripts/setup.sh builds them on the host (scripts/build-language-images.sh binaries).
COPY tenant-templates tenant-templates
RUN for d in tenant-templates/*/; do if [ -f "$d/package.json" ]; then (cd "$d" && npm ci --omit=dev --no-audit --no-fund); fi; done

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
# Workers keep the tenants' firewall with iptables (shared/runtime/firewall.ts). The binary gets
# NET_ADMIN and NET_RAW as file capabilities, so the non-root worker can run it when the container
# is given them (compose: cap_add) and nothing else in the image can. Alpine's iptables (3.19 and
# later) drives nf_tables, like Debian 12's and dockerd's on most current hosts: the image's and
# the host's backend must match (`iptables -V` on the host says which).
RUN if command -v apk >/dev/null; then apk add --no-cache iptables libcap-setcap; \
    else apt-get update && apt-get install -y --no-install-recommends iptables libcap2-bin && rm -rf /var/lib/apt/lists/*; fi \
 && setcap cap_net_admin,cap_net_raw+ep "$(readlink -f "$(command -v iptables)")"
WORKDIR /app
COPY package.json ./
COPY drizzle drizzle
COPY --from=deps /app/node_modules node_modules
COPY --from=deps /app/tenant-templates tenant-templates
COPY --from=build /app/dist dist
# The Swarm node agent's script and Dockerfile, built into an image by workers under CONVERGENCE_RUNTIME=swarm.
COPY shared/runtime/swarm/node-agent shared/runtime/swarm/node-agent
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node flags as in shared/node-flags.ts (small V8 semi-spaces keep resident memory down).
CMD ["node", "--max-semi-space-size=8", "dist/api/main.js"]
