#!/usr/bin/env bash
# Builds the local base images of the non-Node templates, for machines whose Docker cannot pull the
# registry ones, from what this machine reaches (Debian's archive and the npm registry), and
# compiles the Go servers of the go/stdlib and static/html templates (our code, not user code) on the
# host. Each image is built once: an existing tag is kept. Prints the tag of each image it is asked for.
#
#   build-language-images.sh python <tag>   python3 + python3-fastapi + python3-uvicorn (Debian), via mmdebstrap
#   build-language-images.sh bun <tag>      the bun binary of the npm package @oven/bun-linux-x64 + its libraries
#   build-language-images.sh static <tag>   an empty root (passwd, group, /tmp) for static Go binaries
#   build-language-images.sh binaries       compiles tenant-templates/*/main.go to ./server (CGO_ENABLED=0)
set -euo pipefail
what=${1:?usage: build-language-images.sh python|bun|static <tag> | binaries}
cd "$(dirname "$0")/.."

log() { echo "[language-images] $*"; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

# Every image runs its app as 1000:1000 (the runtime sets the user), named like in the Node base.
users() {
  mkdir -p "$1/etc" "$1/tmp" "$1/app"
  chmod 1777 "$1/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:1000:1000:app:/app:/sbin/nologin\n' >"$1/etc/passwd"
  printf 'root:x:0:\napp:x:1000:\n' >"$1/etc/group"
  echo 'hosts: files dns' >"$1/etc/nsswitch.conf"
}

exists() { docker image inspect "$1" >/dev/null 2>&1; }

case "$what" in
  python)
    tag=${2:?tag}
    if ! exists "$tag"; then
      command -v mmdebstrap >/dev/null || { echo "mmdebstrap is missing (apt-get install mmdebstrap)" >&2; exit 1; }
      log "building $tag: python3, fastapi and uvicorn from Debian (mmdebstrap)"
      # extract: only these packages and their dependencies, no Essential set (no apt, no perl);
      # dash, for the template Dockerfile's one RUN line. Byte-code compiled once here, as the
      # root filesystem of a tenant is read-only.
      mmdebstrap --quiet --variant=extract --include=dash,python3-minimal,python3-fastapi,python3-uvicorn \
        --customize-hook='chroot "$1" /usr/bin/python3 -m compileall -q /usr/lib/python3 /usr/lib/python3.11 >/dev/null || true' \
        --customize-hook='rm -rf "$1"/usr/share/doc "$1"/usr/share/man "$1"/usr/share/locale "$1"/var/cache/apt "$1"/var/lib/apt/lists' \
        bookworm "$root/rootfs"
      ln -sf dash "$root/rootfs/bin/sh"
      users "$root/rootfs"
      tar -C "$root/rootfs" -c . | docker import \
        --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'WORKDIR /app' \
        --change 'CMD ["python3"]' \
        - "$tag" >/dev/null
    fi
    echo "$tag"
    ;;
  bun)
    tag=${2:?tag}
    if ! exists "$tag"; then
      version=${tag##*:}
      log "building $tag: the bun binary from the npm registry (@oven/bun-linux-x64@$version)"
      (cd "$root" && npm pack "@oven/bun-linux-x64@$version" --silent >/dev/null && tar xzf oven-bun-linux-x64-*.tgz)
      bin="$root/package/bin/bun"
      mkdir -p "$root/rootfs/usr/local/bin"
      cp "$bin" "$root/rootfs/usr/local/bin/bun"
      for lib in $(ldd "$bin" | grep -oE '/[^ ]+' | sort -u); do
        mkdir -p "$root/rootfs$(dirname "$lib")"
        cp -L "$lib" "$root/rootfs$lib"
      done
      users "$root/rootfs"
      tar -C "$root/rootfs" -c . | docker import \
        --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
        --change "ENV BUN_VERSION=$version" \
        --change 'WORKDIR /app' \
        --change 'CMD ["bun"]' \
        - "$tag" >/dev/null
    fi
    echo "$tag"
    ;;
  static)
    tag=${2:?tag}
    if ! exists "$tag"; then
      log "building $tag: an empty root for static binaries"
      users "$root/rootfs"
      tar -C "$root/rootfs" -c . | docker import --change 'WORKDIR /app' - "$tag" >/dev/null
    fi
    echo "$tag"
    ;;
  binaries)
    for main in tenant-templates/*/main.go; do
      [ -e "$main" ] || continue
      dir=$(dirname "$main")
      if [ ! -x "$dir/server" ] || [ "$main" -nt "$dir/server" ]; then
        command -v go >/dev/null || { echo "go is missing (apt-get install golang-go): $dir/server cannot be built" >&2; exit 1; }
        log "compiling $dir/server"
        # -trimpath and no build id: the same source gives the same bytes, so the image tag
        # (a hash of the template's files) does not change with every set-up.
        (cd "$dir" && CGO_ENABLED=0 GOFLAGS= GO111MODULE=off go build -trimpath -ldflags='-s -w -buildid=' -o server main.go)
      fi
    done
    ;;
  *)
    echo "unknown: $what" >&2
    exit 2
    ;;
esac
