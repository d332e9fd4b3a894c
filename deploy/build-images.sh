#!/bin/sh
# build-images.sh - build the balboard image FROM scratch from a checkout.
#
# Builds the release binaries, copies them with exactly the shared
# libraries they load (and the loader), a CA bundle for HTTPS to the real
# upstreams and a minimal /etc/passwd into a root filesystem, and builds
# one image, balboard:latest, from it. The image has no shell and no build
# tools; each compose service picks its binary as entrypoint.
#
#   BALBOARD_IMAGE=balboard:latest   image name
set -eu
cd "$(dirname "$0")/.."
image="${BALBOARD_IMAGE:-balboard:latest}"
build=build/deploy
stage="$build/stage"
rootfs="$build/rootfs"

./scripts/install-deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build" -j "$(nproc)"
rm -rf "$stage" "$rootfs"
cmake --install "$build" --prefix "$stage" > /dev/null

mkdir -p "$rootfs/usr/bin" "$rootfs/etc/ssl/certs" "$rootfs/tmp" \
         "$rootfs/data/store" "$rootfs/data/scheduler"
for binary in "$stage"/bin/balboard*; do
    cp "$binary" "$rootfs/usr/bin/"
    # every resolved library and the loader, at the paths the binary expects
    ldd "$binary" | awk '/=> \// { print $3 } /^\t\// { print $1 }' |
    while read -r lib; do
        mkdir -p "$rootfs$(dirname "$lib")"
        cp -L "$lib" "$rootfs$lib"
    done
done
cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
printf 'root:x:0:0::/:/nonexistent\nbalboard:x:10001:10001::/data:/nonexistent\n' \
    > "$rootfs/etc/passwd"
printf 'root:x:0:\nbalboard:x:10001:\n' > "$rootfs/etc/group"
printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
chmod 1777 "$rootfs/tmp"

cp deploy/Dockerfile "$build/Dockerfile"
docker build -q -t "$image" "$build" > /dev/null
echo "build-images: $image $(docker image inspect -f '{{.Size}}' "$image" |
     awk '{ printf "%.1f MB", $1 / 1e6 }')"
