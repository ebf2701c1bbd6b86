#!/usr/bin/env bash
# Installs what a fresh machine of our kind lacks for building and testing tcxsim. Each package is
# checked first, so a machine that has everything runs no apt-get at all.
#   maven      the build
#   iproute2   ip/tc, only for cross-checks by hand and the kernel tests' leak check
#   tcpdump    reads back the pcap files the CLI writes (tests)
#   chromium   renders the SVG/HTML chain pictures headless (tests)
# clang-19 is NOT needed to build or test: compiled test objects are committed. Developers who
# rebuild them run scripts/setup.sh --dev, which adds clang-19, llvm-19 and libbpf-dev.
set -euo pipefail
want=(maven iproute2 tcpdump chromium)
if [ "${1:-}" = "--dev" ]; then
    want+=(clang-19 llvm-19 libbpf-dev bpftool)
fi
missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
fi
echo "setup: installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
