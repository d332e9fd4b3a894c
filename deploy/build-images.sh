#!/bin/sh
# build-images.sh - build the balboard images FROM scratch from a checkout.
#
# Builds the release binaries, copies them with exactly the shared
# libraries they load (and the loader), a CA bundle for HTTPS to the real
# upstreams and a minimal /etc/passwd into a root filesystem, and builds
# one image, balboard:latest, from it. The image has no shell and no build
# tools; each compose service picks its binary as entrypoint.
#
# Then builds the Prometheus image of the `monitoring` compose profile the
# same way: Debian's /usr/bin/prometheus and /usr/bin/promtool (Go
# binaries that still load libc: ldd says which libraries) with
# deploy/prometheus.yml, and nothing else.
#
#   BALBOARD_IMAGE=balboard:latest                          image name
#   BALBOARD_PROMETHEUS_IMAGE=balboard-prometheus:latest    image name
set -eu
cd "$(dirname "$0")/.."
image="${BALBOARD_IMAGE:-balboard:latest}"
prometheus_image="${BALBOARD_PROMETHEUS_IMAGE:-balboard-prometheus:latest}"
build=build/deploy
stage="$build/stage"
rootfs="$build/rootfs"
prometheus_build="$build/prometheus"

# copy_binary BINARY ROOTFS: the binary into ROOTFS/usr/bin with every
# library it resolves and the loader, at the paths the binary expects.
copy_binary() {
    mkdir -p "$2/usr/bin"
    cp "$1" "$2/usr/bin/"
    ldd "$1" | awk '/=> \// { print $3 } /^\t\// { print $1 }' |
    while read -r lib; do
        mkdir -p "$2$(dirname "$lib")"
        cp -L "$lib" "$2$lib"
    done
}

# image_size IMAGE: its size in MB, for the log line.
image_size() {
    docker image inspect -f '{{.Size}}' "$1" |
        awk '{ printf "%.1f MB", $1 / 1e6 }'
}

./scripts/install-deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build" -j "$(nproc)"
rm -rf "$stage" "$rootfs"
cmake --install "$build" --prefix "$stage" > /dev/null

mkdir -p "$rootfs/usr/bin" "$rootfs/etc/ssl/certs" "$rootfs/tmp" \
         "$rootfs/data/store" "$rootfs/data/scheduler" "$rootfs/data/keys"
for binary in "$stage"/bin/balboard*; do
    copy_binary "$binary" "$rootfs"
done
cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
printf 'root:x:0:0::/:/nonexistent\nbalboard:x:10001:10001::/data:/nonexistent\n' \
    > "$rootfs/etc/passwd"
printf 'root:x:0:\nbalboard:x:10001:\n' > "$rootfs/etc/group"
printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
chmod 1777 "$rootfs/tmp"

cp deploy/Dockerfile "$build/Dockerfile"
docker build -q -t "$image" "$build" > /dev/null
echo "build-images: $image $(image_size "$image")"

# The Prometheus image: its two binaries, their libraries, its config,
# a passwd naming the nobody user it runs as, and its data directory.
rm -rf "$prometheus_build"
prometheus_rootfs="$prometheus_build/rootfs"
copy_binary /usr/bin/prometheus "$prometheus_rootfs"
copy_binary /usr/bin/promtool "$prometheus_rootfs"
mkdir -p "$prometheus_rootfs/etc/prometheus" \
         "$prometheus_rootfs/prometheus/data"
cp deploy/prometheus.yml "$prometheus_rootfs/etc/prometheus/"
printf 'root:x:0:0::/:/nonexistent\nnobody:x:65534:65534::/prometheus:/nonexistent\n' \
    > "$prometheus_rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$prometheus_rootfs/etc/group"
printf 'hosts: files dns\n' > "$prometheus_rootfs/etc/nsswitch.conf"
cp deploy/prometheus.Dockerfile "$prometheus_build/Dockerfile"
docker build -q -t "$prometheus_image" "$prometheus_build" > /dev/null
echo "build-images: $prometheus_image $(image_size "$prometheus_image")"
