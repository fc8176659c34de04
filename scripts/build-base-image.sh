#!/usr/bin/env bash
# Builds a minimal tenant base image from the Node.js binary on PATH (the host's, or the one
# scripts/setup.sh installed into .node/) and the shared libraries it links against, for machines
# whose Docker cannot pull node:22-alpine. The image has no shell: tenant Dockerfiles therefore
# only COPY (their dependencies are installed on the host).
set -euo pipefail
tag=${1:?usage: build-base-image.sh <tag>}
# The binary itself: .node/bin/node is a symlink into the npm package that carries it.
node_bin=$(readlink -f "$(node -p process.execPath)")
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/usr/local/bin" "$root/etc" "$root/tmp" "$root/app"
chmod 1777 "$root/tmp"
cp "$node_bin" "$root/usr/local/bin/node"
# The loader and every library node links against, at the same paths as on the host.
for lib in $(ldd "$node_bin" | grep -oE '/[^ ]+' | sort -u); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
cat >"$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/sbin/nologin
node:x:1000:1000:node:/app:/sbin/nologin
P
cat >"$root/etc/group" <<'G'
root:x:0:
node:x:1000:
G
echo 'hosts: files dns' >"$root/etc/nsswitch.conf"

tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV NODE_VERSION='"$(node -p 'process.versions.node')" \
  --change 'WORKDIR /app' \
  --change 'CMD ["node"]' \
  - "$tag" >/dev/null
echo "built $tag"
