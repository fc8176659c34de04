# Image for the API and worker processes (docker-compose.yml). Template dependencies are
# installed here too, so workers build tenant images with no network inside Docker.
FROM node:20-alpine
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN for d in tenant-templates/*/; do (cd "$d" && [ ! -f package-lock.json ] || npm ci --omit=dev --no-audit --no-fund); done
ENV NODE_ENV=production
CMD ["npx", "tsx", "api/main.ts"]
