#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian's linux-image package whose version matches the installed
# linux-headers-amd64, unpack it into a cache folder (never installed on the
# host), index its modules, and build the initramfs that boots it with the
# host's root shared read-only over virtio-9p.
#
# usage: fetch-kernel.sh CACHE_DIR
# Prints nothing when everything is already in place.
set -euo pipefail

cache=${1:?usage: fetch-kernel.sh CACHE_DIR}
here=$(cd "$(dirname "$0")" && pwd)

dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64)
kver=$(sed -n 's/^linux-headers-\([^ ,]*\) .*/\1/p' <<<"$dep")
pkgver=$(sed -n 's/^[^ ]* (= \([^)]*\)).*/\1/p' <<<"$dep")
[ -n "$kver" ] && [ -n "$pkgver" ] || {
	echo "fetch-kernel: cannot read the headers version from: $dep" >&2
	exit 1
}

dir=$cache/kernel/$kver
stamp=$dir/.ready-$pkgver
if [ -e "$stamp" ] && [ "$dir/initramfs.cpio.gz" -nt "$here/guest/init" ]; then
	exit 0
fi

mkdir -p "$dir"
if [ ! -e "$stamp" ]; then
	echo "fetch-kernel: linux-image-$kver ($pkgver)"
	rm -rf "$dir/root" "$dir"/*.deb
	(cd "$dir" && apt-get download -qq "linux-image-$kver=$pkgver" 2>&1 |
		grep -v 'Download is performed unsandboxed' >&2 || true)
	deb=$(ls "$dir"/linux-image-"$kver"_*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || { echo "fetch-kernel: download failed" >&2; exit 1; }
	dpkg-deb -x "$deb" "$dir/root"
	rm -f "$deb"
	depmod -b "$dir/root" "$kver"
	ln -sf "root/boot/vmlinuz-$kver" "$dir/vmlinuz"
	touch "$stamp"
fi

# initramfs: busybox, stage-1 init, and the modules needed to mount the
# root (virtio-pci, 9p, overlayfs) in dependency order.
echo "fetch-kernel: initramfs for $kver"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,dev,proc,sys,lower,rw,newroot,lib/modules}
cp /bin/busybox "$tmp/bin/busybox"
cp "$here/guest/init" "$tmp/init"
chmod 755 "$tmp/init"
: >"$tmp/modules.order"
for m in virtio_pci 9pnet_virtio 9p overlay; do
	modprobe -d "$dir/root" -S "$kver" --show-depends "$m" |
		awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
	cp "$ko" "$tmp/lib/modules/"
	echo "/lib/modules/$(basename "$ko")" >>"$tmp/modules.order"
done
(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$dir/initramfs.cpio.gz"
echo "$kver" >"$cache/kernel/current"
