#!/usr/bin/env bash
# Installs what a fresh machine of our kind lacks for building and testing tcxsim. Each package is
# checked first, so a machine that has everything runs no apt-get at all.
#   maven      the build (always needed)
#   iproute2   ip/tc, for cross-checks by hand and the kernel tests' leak check   (tests)
#   tcpdump    reads back the pcap files the CLI writes                            (tests)
#   chromium   renders the SVG/HTML chain pictures headless                        (tests)
# A JDK 25 is not a Debian package here: scripts/jdk25.sh finds it under /usr/lib/jvm.
# clang-19 is NOT needed to build or test: compiled test objects are committed. Developers who
# rebuild them run scripts/setup.sh --dev, which adds clang-19, llvm-19, libbpf-dev and bpftool.
#
#   scripts/setup.sh           build + test packages (./run-tests)
#   scripts/setup.sh --build   the build only (./tcxsim's first run)
#   scripts/setup.sh --dev     build + test + rebuilding the BPF objects
# As root, missing packages are installed. Otherwise a missing build package is an error and a
# missing test package a warning: the tests that need it skip and say why.
set -euo pipefail
required=(maven)
optional=(iproute2 tcpdump chromium)
case "${1:-}" in
    --build) optional=() ;;
    --dev) optional+=(clang-19 llvm-19 libbpf-dev bpftool) ;;
    "") ;;
    *) echo "setup: unknown option '$1' (--build or --dev)" >&2; exit 2 ;;
esac
missing_of() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
    done
}
missing_required=$(missing_of "${required[@]}")
missing_optional=$( [ ${#optional[@]} -eq 0 ] || missing_of "${optional[@]}")
missing=$(echo $missing_required $missing_optional)
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    if [ -n "$missing_required" ]; then
        echo "setup: missing Debian packages needed to build: $(echo $missing_required) (run as root to install them)" >&2
        exit 1
    fi
    echo "setup: warning: missing $(echo $missing_optional); the tests that need them will skip (run as root to install)" >&2
    exit 0
fi
echo "setup: installing $missing" >&2
apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
