#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing: Chromium for the browser tests
# (Playwright drives Debian's build; nothing is downloaded at test time), a font for its screenshots, a Java
# runtime for Apache Spark, and PostgreSQL for the PostgreSQL store's tests (they start their own server from its
# binaries, in a temporary directory, on 127.0.0.1; the cluster the package may set up is not used).
# Idempotent: with everything in place it installs nothing and says nothing.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
# Java for the Spark tests of `kroniek batch analyze` (Spark 4 needs Java 17 or later)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1; then
  run=(sudo)
else
  echo "The tests need the Debian package(s) ${need[*]}; install them as root (apt-get install ${need[*]})," >&2
  echo "then run make test again." >&2
  exit 1
fi
echo "Installing ${need[*]} (Debian) for the tests..."
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
