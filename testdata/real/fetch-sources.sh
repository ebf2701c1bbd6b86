#!/bin/sh
# Extracts the C sources of the real tc programs in this folder from Debian's linux-source
# package into src/ (git-ignored), and writes src/vmlinux.h from the running kernel's BTF.
# Installs the package first when it is missing (root). The objects are built by `make`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pkg=linux-source-6.12
tarball=/usr/src/$pkg.tar.xz
top=$pkg

if [ ! -f "$tarball" ]; then
    if ! dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        echo "installing $pkg (Debian's kernel source)"
        apt-get install -y --no-install-recommends "$pkg"
    fi
fi
[ -f "$tarball" ] || { echo "error: $tarball is missing after installing $pkg" >&2; exit 1; }

progs=tools/testing/selftests/bpf/progs
# One path per line: the program sources named in ORIGIN.md and the headers they include.
files="
$progs/test_tc_edt.c
$progs/test_tc_neigh.c
$progs/test_tc_neigh_fib.c
$progs/test_tc_peer.c
$progs/test_tc_tunnel.c
$progs/test_tc_dtime.c
$progs/test_tc_bpf.c
$progs/test_cls_redirect.c
$progs/test_cls_redirect.h
$progs/test_l4lb.c
$progs/test_l4lb_noinline.c
$progs/test_pkt_access.c
$progs/test_pkt_md_access.c
$progs/test_skb_ctx.c
$progs/test_skb_helpers.c
$progs/test_check_mtu.c
$progs/test_tcp_check_syncookie_kern.c
$progs/skb_pkt_end.c
$progs/decap_sanity.c
$progs/bpf_compiler.h
$progs/bpf_misc.h
$progs/bpf_tracing_net.h
tools/testing/selftests/bpf/test_iptunnel_common.h
tools/include/uapi/linux/bpf.h
tools/include/uapi/linux/bpf_common.h
tools/include/uapi/linux/pkt_cls.h
tools/include/uapi/linux/if_link.h
tools/include/uapi/linux/tcp.h
"
mkdir -p "$here/src"
members=$(for f in $files; do printf '%s/%s\n' "$top" "$f"; done)
# shellcheck disable=SC2086
tar -xJf "$tarball" -C "$here/src" --strip-components=1 $members
dpkg-query -W -f '${Version}\n' "$pkg" > "$here/src/VERSION" 2>/dev/null || echo unknown > "$here/src/VERSION"

if [ -r /sys/kernel/btf/vmlinux ]; then
    bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$here/src/vmlinux.h"
else
    echo "warning: no /sys/kernel/btf/vmlinux; programs that include vmlinux.h will not build" >&2
fi
echo "sources of $pkg $(cat "$here/src/VERSION") in $here/src"
