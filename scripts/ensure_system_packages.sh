#!/usr/bin/env bash
# Install the Debian packages the test suite needs, but only the ones that are missing:
#   chromium                 browser tests (Playwright drives /usr/bin/chromium)
#   fonts-liberation         Arial-compatible font: the pages fall back to Arial
#   libreoffice-calc-nogui   `soffice` converts exported workbooks to check they open
# Does nothing (and needs no root) when everything is present. Recommended packages are
# installed too: that is the set the suite was checked with (LibreOffice's PDF export included).
set -euo pipefail

missing=()
have_package() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

[ -x /usr/bin/chromium ] || missing+=(chromium)
have_package fonts-liberation || missing+=(fonts-liberation)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "ensure_system_packages: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "ensure_system_packages: ERROR: need root (or sudo) to apt-get install ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q "${missing[@]}"

[ -x /usr/bin/chromium ] || { echo "ensure_system_packages: ERROR: /usr/bin/chromium still missing" >&2; exit 1; }
command -v soffice >/dev/null 2>&1 || { echo "ensure_system_packages: ERROR: soffice still missing" >&2; exit 1; }
