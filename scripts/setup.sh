#!/usr/bin/env bash
# Idempotent set-up behind `npm start` and `npm test`: makes sure Node packages, Postgres,
# Redis, a Docker engine and Caddy (the ingress) are there and answering, writes a local .env
# with generated secrets, builds the tenant base image (locally from the host's Node.js when no
# registry answers), applies migrations and builds the tenant template images.
# Running it again is safe and fast: every step checks before it acts.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODE=${1:-} # --test: also migrate the test database; --env: only write .env

# Colour only on a terminal, and never with NO_COLOR (no-color.org): piped into a file or a CI log,
# the output is plain text.
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then c_log=$'\033[1;34m' c_off=$'\033[0m'; else c_log="" c_off=""; fi
if [ -t 2 ] && [ -z "${NO_COLOR:-}" ]; then c_err=$'\033[1;31m' c_eoff=$'\033[0m'; else c_err="" c_eoff=""; fi
log() { printf '%s[setup]%s %s\n' "$c_log" "$c_off" "$*"; }
die() { printf '%s[setup] %s%s\n' "$c_err" "$*" "$c_eoff" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

# A long step (a package install, the build, image builds): says what it starts, says every 15 s
# that it is still at it and for how long, and how long it took. Returns the command's status.
long_pid=""
trap '[ -n "$long_pid" ] && kill "$long_pid" 2>/dev/null; exit 130' INT TERM
long() {
  local what=$1 start=$SECONDS next=15 rc=0
  shift
  log "$what ..."
  "$@" &
  long_pid=$!
  while kill -0 "$long_pid" 2>/dev/null; do
    sleep 0.5
    if [ $((SECONDS - start)) -ge "$next" ] && kill -0 "$long_pid" 2>/dev/null; then
      log "  ... still $what ($((SECONDS - start)) s)"
      next=$((next + 15))
    fi
  done
  wait "$long_pid" || rc=$?
  long_pid=""
  if [ "$rc" = 0 ]; then log "  $what: done in $((SECONDS - start)) s"; else log "  $what: failed (exit $rc) after $((SECONDS - start)) s"; fi
  return "$rc"
}
quiet() { "$@" >/dev/null; }
silent() { "$@" >/dev/null 2>&1; }

apt_updated=""
apt_install() {
  is_root || return 1
  if [ -z "$apt_updated" ]; then
    DEBIAN_FRONTEND=noninteractive long "apt-get update" quiet apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive long "apt-get install $*" quiet apt-get install -y -qq "$@"
}

# --- Node.js: a maintained LTS (22 or later) --------------------------------------------
# The machine's when it is new enough; else the official binary from the npm registry's `node`
# package, installed into .node/ (inside the clone: no root needed, nothing of the machine's
# replaced). Everything after this runs on it, and the package scripts run through scripts/node,
# which picks .node/ when it is there (this PATH does not reach the npm that started us).
node_major=22
major_of() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$MODE" != --env ] && [ "$(major_of node)" -lt "$node_major" ]; then
  if [ "$(major_of .node/bin/node)" -lt "$node_major" ]; then
    log "Node.js $(node -v 2>/dev/null || echo '(none)') is older than $node_major: installing Node.js $node_major into .node/ (npm's node package)"
    long "installing Node.js $node_major" npm install --global --prefix "$ROOT/.node" --no-audit --no-fund --loglevel=error "node@$node_major" ||
      die "could not install Node.js $node_major from the npm registry: install Node.js $node_major or later (https://nodejs.org/) and run this again"
  fi
  export PATH="$ROOT/.node/bin:$PATH"
  log "using Node.js $(node -v) from .node/"
fi

# --- Node packages -----------------------------------------------------------------
# Again when the lock file or a patch of a dependency (patches/, applied by patch-package) is newer than the install.
if [ "$MODE" != --env ] && { [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
  [ -n "$(find patches -type f -newer node_modules/.package-lock.json 2>/dev/null)" ]; }; then
  long "installing Node packages (npm ci)" npm ci --no-audit --no-fund --loglevel=error
fi

# --- .env: local configuration with generated secrets, never committed ---------------
# Created with mode 600 from its first byte (umask), since it holds every local secret.
# Postgres, Redis and the databases they hold belong to the machine, not to one clone: every clone
# here uses the same ones. So, as root, the secrets of the first .env are kept in $machine_secrets
# (mode 600) and a later clone's new .env gets the same ones, rather than new passwords that would
# lock the first clone out (a Redis it cannot authenticate to, a Postgres role whose password
# changed) and a key that cannot decrypt what the first clone stored.
machine_secrets=${CONVERGENCE_MACHINE_SECRETS:-/var/lib/convergence/secrets.env}
rand() { node -e 'console.log(require("crypto").randomBytes(+process.argv[1]).toString(process.argv[2]))' "$1" "$2"; }
env_value() { sed -n "s/^$1=//p" "$2" | tail -n 1; }
if [ ! -f .env ]; then
  if is_root && [ -f "$machine_secrets" ]; then
    log "writing .env with this machine's secrets (from $machine_secrets, shared by every clone here)"
    pg_pass=$(env_value POSTGRES_PASSWORD "$machine_secrets")
    redis_pass=$(env_value REDIS_PASSWORD "$machine_secrets")
    encryption_key=$(env_value ENCRYPTION_KEY "$machine_secrets")
    [ -n "$pg_pass" ] && [ -n "$redis_pass" ] && [ -n "$encryption_key" ] ||
      die "$machine_secrets lacks POSTGRES_PASSWORD, REDIS_PASSWORD or ENCRYPTION_KEY: fix it, or remove it to have new secrets generated"
  else
    log "writing .env with generated secrets (Postgres and Redis passwords, encryption key)"
    pg_pass=$(rand 24 hex)
    redis_pass=$(rand 24 hex)
    encryption_key=$(rand 32 base64)
  fi
  (
    umask 077
    cat >.env <<EOF
# Written by scripts/setup.sh for local use. Not committed. See docs/configuration.md.
# docker compose reads the same file (POSTGRES_PASSWORD, REDIS_PASSWORD, ENCRYPTION_KEY).
POSTGRES_PASSWORD=$pg_pass
REDIS_PASSWORD=$redis_pass
DATABASE_URL=postgres://convergence:$pg_pass@127.0.0.1:5432/convergence
TEST_DATABASE_URL=postgres://convergence:$pg_pass@127.0.0.1:5432/convergence_test
REDIS_URL=redis://:$redis_pass@127.0.0.1:6379
ENCRYPTION_KEY=$encryption_key
EOF
  )
fi
# The first clone set up here (or one set up before this file existed) gives the machine its
# secrets, if its .env has all three (an older or hand-written one may not).
if is_root && [ ! -f "$machine_secrets" ] && [ -n "$(env_value POSTGRES_PASSWORD .env)" ] &&
  [ -n "$(env_value REDIS_PASSWORD .env)" ] && [ -n "$(env_value ENCRYPTION_KEY .env)" ]; then
  mkdir -p "$(dirname "$machine_secrets")"
  (
    umask 077
    for key in POSTGRES_PASSWORD REDIS_PASSWORD ENCRYPTION_KEY; do echo "$key=$(env_value "$key" .env)"; done >"$machine_secrets"
  )
fi
chmod 600 .env
# For docker compose: the group that owns the Docker socket (the non-root worker joins it).
if [ -S /var/run/docker.sock ] && ! grep -q '^DOCKER_GID=' .env; then
  echo "DOCKER_GID=$(stat -c %g /var/run/docker.sock)" >>.env
fi
set -a; . ./.env; set +a
# `scripts/setup.sh --env`: only the .env (e.g. before `docker compose up`).
if [ "$MODE" = --env ]; then log ".env is ready"; exit 0; fi

# --- Postgres ------------------------------------------------------------------------
pg_up() { node -e '
  const net = require("net"); const u = new URL(process.argv[1]);
  const s = net.connect(+(u.port || 5432), u.hostname, () => { s.end(); process.exit(0) });
  s.on("error", () => process.exit(1)); setTimeout(() => process.exit(1), 2000);' "$DATABASE_URL"; }
db_ok() { psql "$1" -tAc 'select 1' >/dev/null 2>&1; }

if ! pg_up; then
  is_root || die "Postgres does not answer at $DATABASE_URL. Start one (e.g. 'docker compose up -d postgres') or run this as root to install it."
  # The server itself, not just the client tools (psql, pg_ctlcluster) that may be there alone.
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && command -v pg_ctlcluster >/dev/null || apt_install postgresql
  ver=$(basename "$(dirname "$(dirname "$(ls -d /usr/lib/postgresql/*/bin/postgres | sort -V | tail -1)")")")
  [ -d "/etc/postgresql/$ver/main" ] || pg_createcluster "$ver" main >/dev/null
  log "starting Postgres $ver"
  pg_ctlcluster "$ver" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || die "Postgres did not start; see /var/log/postgresql/"
fi
command -v psql >/dev/null || apt_install postgresql-client
for url in "$DATABASE_URL" "$TEST_DATABASE_URL"; do
  if ! db_ok "$url"; then
    is_root || die "cannot connect to $url; create the role and database, or run as root"
    user=$(node -e 'const u=new URL(process.argv[1]);console.log(decodeURIComponent(u.username))' "$url")
    pass=$(node -e 'const u=new URL(process.argv[1]);console.log(decodeURIComponent(u.password))' "$url")
    db=$(node -e 'const u=new URL(process.argv[1]);console.log(u.pathname.slice(1))' "$url")
    as_pg() { (cd / && runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtA "$@"); }
    if [ "$(as_pg -c "select 1 from pg_roles where rolname='$user'")" != 1 ]; then
      log "creating Postgres role '$user'"
      as_pg -c "create role \"$user\" login password '$pass'"
    elif ! db_ok "${url%/*}/postgres"; then
      log "setting the password of Postgres role '$user' to the one in .env"
      as_pg -c "alter role \"$user\" login password '$pass'"
    fi
    if [ "$(as_pg -c "select 1 from pg_database where datname='$db'")" != 1 ]; then
      log "creating Postgres database '$db'"
      as_pg -c "create database \"$db\" owner \"$user\""
    fi
    db_ok "$url" || die "still cannot connect to $url"
  fi
done

# --- Redis (append-only persistence, so jobs survive a restart; the password from .env) -------
# Prints "up", "auth" (it answers, but refuses the password in REDIS_URL, or has none) or "down".
redis_state() { node -e '
  const net = require("net"); const u = new URL(process.argv[1]);
  const pass = decodeURIComponent(u.password);
  const s = net.connect(+(u.port || 6379), u.hostname, () => s.write((pass ? `AUTH ${pass}\r\n` : "") + "PING\r\n"));
  let buf = "";
  const done = (state) => { console.log(state); process.exit(0); };
  s.on("data", (d) => {
    buf += d;
    if (/^-LOADING/m.test(buf)) return done("loading"); // started, still reading its append-only file
    if (/^-/m.test(buf)) return done("auth");
    if (buf.includes("+PONG")) return done("up");
  });
  s.on("error", () => done("down"));
  setTimeout(() => done("down"), 2000);' "$REDIS_URL"; }
redis_pass=$(node -e 'console.log(decodeURIComponent(new URL(process.argv[1]).password))' "$REDIS_URL")
state=$(redis_state)
for _ in $(seq 1 60); do [ "$state" = loading ] || break; sleep 0.5; state=$(redis_state); done
if [ "$state" = down ]; then
  is_root || die "Redis does not answer at $REDIS_URL. Start one (e.g. 'docker compose up -d redis') or run this as root to install it."
  command -v redis-server >/dev/null || apt_install redis-server
  log "starting Redis"
  mkdir -p /var/lib/convergence-redis
  # The password goes in a config file (mode 600), not on the command line where ps shows it.
  conf=/var/lib/convergence-redis/convergence.conf
  (umask 077; if [ -n "$redis_pass" ]; then echo "requirepass $redis_pass"; fi >"$conf")
  redis-server "$conf" --port 6379 --bind 127.0.0.1 --daemonize yes --appendonly yes \
    --dir /var/lib/convergence-redis --logfile /var/log/convergence-redis.log
  for _ in $(seq 1 60); do state=$(redis_state); [ "$state" = down ] || [ "$state" = loading ] || break; sleep 0.5; done
fi
case "$state" in
  up) ;;
  auth) die "Redis answers at 127.0.0.1:6379 but not with the password in REDIS_URL (.env): make them match (requirepass), or stop that Redis so the set-up starts its own" ;;
  *) die "Redis did not start; see /var/log/convergence-redis.log" ;;
esac

# --- Docker engine -------------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
  is_root || die "no Docker engine answers. Install and start Docker (https://docs.docker.com/engine/install/), or run this as root."
  command -v dockerd >/dev/null || apt_install docker.io
  log "starting dockerd (log: /var/log/convergence-dockerd.log)"
  nohup setsid dockerd >/var/log/convergence-dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || die "dockerd did not start; see /var/log/convergence-dockerd.log"
fi

# --- Caddy: the ingress, driven only through its admin API on loopback ------------------------
# Started empty but for its admin endpoint; the platform writes its servers and routes, and
# re-writes them whenever Caddy comes back empty (so nothing relies on Caddy's autosave).
caddy_admin=${CADDY_ADMIN_URL:-http://127.0.0.1:2019}
caddy_up() { node -e '
  const req = require("http").get(new URL("/config/", process.argv[1]), (r) => process.exit(r.statusCode === 200 ? 0 : 1));
  req.on("error", () => process.exit(1)); req.setTimeout(2000, () => process.exit(1));' "$caddy_admin"; }
if ! caddy_up; then
  is_root || die "Caddy's admin API does not answer at $caddy_admin. Install Caddy (apt-get install caddy) and start it with its admin API there, or run this as root."
  admin_listen=$(node -e 'console.log(new URL(process.argv[1]).host)' "$caddy_admin")
  case "$admin_listen" in
    127.*|localhost:*|\[::1\]:*) ;;
    *) die "CADDY_ADMIN_URL must be a loopback address (whoever reaches Caddy's admin API controls the ingress): $caddy_admin" ;;
  esac
  command -v caddy >/dev/null || apt_install caddy
  caddy_dir=/var/lib/convergence-caddy
  mkdir -p "$caddy_dir"
  # install_trust=false: Caddy must not add its root CA to this host's trust store by itself
  # (docs/networking.md, "Trusting the ingress's certificates", says how to do that deliberately).
  printf '{"admin":{"listen":"%s","config":{"persist":false}},"apps":{"pki":{"certificate_authorities":{"local":{"install_trust":false}}}}}\n' \
    "$admin_listen" >"$caddy_dir/bootstrap.json"
  log "starting Caddy (admin API on $admin_listen, data in $caddy_dir/data, log: /var/log/convergence-caddy.log)"
  # Redirect the whole detached subshell, or it would hold the caller's stdout open for ever.
  (cd "$caddy_dir" && XDG_DATA_HOME="$caddy_dir/data" XDG_CONFIG_HOME="$caddy_dir/config" \
    exec setsid caddy run --config "$caddy_dir/bootstrap.json") >>/var/log/convergence-caddy.log 2>&1 </dev/null &
  for _ in $(seq 1 40); do caddy_up && break; sleep 0.25; done
  caddy_up || die "Caddy did not start; see /var/log/convergence-caddy.log"
fi

# --- Tenant base image ----------------------------------------------------------------------
# Production default is node:22-alpine. When it is not present and cannot be pulled (no
# registry reachable), build an equivalent local image from the Node.js this set-up runs on (the
# host's, or .node/'s) and the libraries it links against, and record it in .env. A local image
# from another Node.js (an earlier set-up's, e.g. 20) is replaced the same way: the tag says which.
base=${TENANT_BASE_IMAGE:-node:22-alpine}
local_base="convergence/node-base:$(node -p 'process.versions.node')"
outdated=""
case "$base" in convergence/node-base:*) [ "$base" = "$local_base" ] || outdated=1 ;; esac
if [ -n "$outdated" ] || ! docker image inspect "$base" >/dev/null 2>&1; then
  if [ "$base" = node:22-alpine ] && long "trying to pull $base (20 s at most)" silent timeout 20 docker pull -q "$base"; then
    log "pulled $base"
  else
    if ! docker image inspect "$local_base" >/dev/null 2>&1; then
      if [ -n "$outdated" ]; then log "$base is not this Node.js ($(node -v)): building $local_base"
      else log "no registry answers: building $local_base from the host's Node.js"; fi
      long "building $local_base" bash scripts/build-base-image.sh "$local_base"
    fi
    if [ "$base" != "$local_base" ]; then
      sed -i '/^TENANT_BASE_IMAGE=/d' .env
      echo "TENANT_BASE_IMAGE=$local_base" >>.env
      export TENANT_BASE_IMAGE=$local_base
    fi
  fi
fi

# --- Base images of the other languages' templates (template.json `base`) ----------------------
# Production defaults are registry images, as for Node. When one is not present and cannot be
# pulled, its local stand-in is built once from Debian's archive or the npm registry
# (scripts/build-language-images.sh) and recorded in .env; an existing local image is kept.
language_base() { # <config var> <registry default> <local tag> <python|bun|static>
  local var=$1 default=$2 local_tag=$3 kind=$4
  local image=${!var:-$default}
  docker image inspect "$image" >/dev/null 2>&1 && return 0
  if [ "$image" = "$default" ] && timeout 20 docker pull -q "$image" >/dev/null 2>&1; then
    log "pulled $image"
    return 0
  fi
  if [ "$kind" = python ] && ! command -v mmdebstrap >/dev/null; then
    apt_install mmdebstrap || die "$var: $image cannot be pulled and mmdebstrap (to build $local_tag from Debian's python3-fastapi) is missing: apt-get install mmdebstrap"
  fi
  bash scripts/build-language-images.sh "$kind" "$local_tag" >/dev/null
  if [ "$image" != "$local_tag" ]; then
    sed -i "/^$var=/d" .env
    echo "$var=$local_tag" >>.env
    export "$var=$local_tag"
  fi
}
language_base PYTHON_BASE_IMAGE python:3.11-slim convergence/python-base:3.11-fastapi0.92 python
language_base BUN_BASE_IMAGE oven/bun:1-slim convergence/bun-base:1.4.5 bun
language_base GO_BASE_IMAGE gcr.io/distroless/static-debian12 convergence/static-base:1 static
language_base STATIC_BASE_IMAGE gcr.io/distroless/static-debian12 convergence/static-base:1 static

# The Go and static templates' servers (our code, standard library only) are compiled here, on the
# host, into static binaries the images copy: no toolchain in any image, whichever base.
if ! command -v go >/dev/null; then
  apt_install golang-go || die "go is missing (apt-get install golang-go): the go/stdlib and static/html templates cannot be built"
fi
bash scripts/build-language-images.sh binaries

# --- Template dependencies: installed on the host, copied into the image (no network in builds)
for dir in tenant-templates/*/; do
  if [ -f "$dir/package.json" ] && { [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; }; then
    long "installing template dependencies in $dir" bash -c 'cd "$1" && npm ci --omit=dev --no-audit --no-fund --loglevel=error' _ "$dir"
  fi
done

# --- Browser for the API reference and dashboard tests: Debian's chromium, driven by playwright-core
if [ "$MODE" = --test ] && [ ! -x /usr/bin/chromium ]; then
  apt_install chromium || log "WARNING: /usr/bin/chromium is missing and cannot be installed without root; tests/docs.test.ts and tests/dashboard.test.ts will fail"
fi

# --- Build, migrations and images ----------------------------------------------------------
long "building (tsc → dist/, the CLI, the dashboard)" npm run --silent build
long "applying migrations" node dist/scripts/migrate.js
if [ "$MODE" = --test ]; then DATABASE_URL=$TEST_DATABASE_URL long "applying migrations to the test database" node dist/scripts/migrate.js; fi
long "building the tenant template images" node dist/scripts/build-images.js
log "ready"
