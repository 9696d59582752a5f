#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing: Chromium (real-browser
# tests of the Voilà apps), PostgreSQL (cross-engine tests), openssl (the bundle recipient's
# recipe) and CJK/Thai/Arabic fonts (so screenshots show the multilingual content). Needs root;
# otherwise says what to install.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
command -v openssl >/dev/null 2>&1 || need+=(openssl)  # the bundle recipient's recipe is tested
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
[ -d /usr/share/fonts/truetype/noto ] || need+=(fonts-noto-core)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]} (run as root, or: sudo apt-get install ${need[*]})" >&2
  exit 0
fi
echo "installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The server package starts a cluster of its own; the tests start their own, so stop it.
if printf '%s\n' "${need[@]}" | grep -qx postgresql; then
  service postgresql stop >/dev/null 2>&1 || true
fi
