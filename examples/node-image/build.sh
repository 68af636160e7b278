#!/usr/bin/env bash
# examples/node-image/build.sh: the offline node base image, for machines that
# cannot pull node:20 from a registry. It assembles a root filesystem from the
# host's own node: the node binary, the shared libraries that ldd lists, the
# dynamic loader, a /tmp (mode 1777) and an /etc/passwd with root and nobody,
# and imports it as an image with docker import. No registry, no network.
#
#   examples/node-image/build.sh [TAG]      (default TAG: spark2-node-offline:20)
#
# Env: NODE (the node binary to copy; default: node on PATH).
# It prints the tag on its last line. The image is then the NODE_IMAGE of the
# example's Dockerfile (examples/node-image/Dockerfile) and of docker-compose.yml:
#
#   docker build --target prebuilt -t spark2 .                # (see ./Dockerfile)
#   examples/node-image/build.sh
#   docker build -f examples/node-image/Dockerfile \
#     --build-arg NODE_IMAGE=spark2-node-offline:20 -t spark2-example-hello examples
#
# The host's node must be a glibc build for the host's architecture (any
# node that runs on the host does). A node from a distribution package that
# links libnode or other shared libraries works too: ldd lists them all.
set -euo pipefail

tag=${1:-spark2-node-offline:20}
node=$(readlink -f "${NODE:-$(command -v node || true)}" || true)
if [[ ! -x $node ]]; then
	echo "build.sh: no node binary found; install node or set NODE=/path/to/node" >&2
	exit 1
fi

rootfs=$(mktemp -d "${TMPDIR:-/tmp}/spark2-node-rootfs.XXXXXX")
trap 'rm -rf "$rootfs"' EXIT

# copy PATH: the file behind PATH (symlinks followed), at PATH in the rootfs.
copy() {
	mkdir -p "$rootfs$(dirname "$1")"
	cp -L "$1" "$rootfs$1"
}

mkdir -p "$rootfs/usr/local/bin" "$rootfs/etc" "$rootfs/tmp"
cp "$node" "$rootfs/usr/local/bin/node"
chmod 1777 "$rootfs/tmp"

# ldd prints "name => /path (addr)" for libraries and "/path (addr)" for the
# loader; the vdso has no path.
libs=$(ldd "$node" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
if [[ -z $libs ]]; then
	echo "build.sh: ldd lists no library for $node (static or foreign binary?)" >&2
	exit 1
fi
for lib in $libs; do
	copy "$lib"
done

printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' >"$rootfs/etc/passwd"
printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$rootfs/etc/group"

version=$("$node" --version)
tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -cf - . |
	docker import \
		--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'CMD ["node"]' \
		--message "node $version from the host, with its shared libraries" \
		- "$tag" >/dev/null
echo "$tag"
