#!/usr/bin/env bash
# Installs what clustersim needs to build and test, offline-friendly:
# Bazel 4 (Debian's bazel-bootstrap), the -dev packages of the design card
# (and zlib for the frame checksum, OpenSSL's libcrypto for SHA-256,
# jemalloc for the binaries' allocator)
# and tzdata (the IANA time zones that cron schedules use).
# Idempotent: installs only the packages that are missing, and touches
# nothing (no apt-get update) when everything is already there.
set -euo pipefail

packages=(
  bazel-bootstrap bazel-rules-java bazel-platforms
  g++ pkg-config
  libabsl-dev librapidcheck-dev libgtest-dev libgmock-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev zlib1g-dev libssl-dev
  libjemalloc-dev
  tzdata
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

echo "bootstrap: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
