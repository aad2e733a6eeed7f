#!/usr/bin/env bash
# The programs the tests drive besides Python: Chromium (browser tests, chart images), chromedriver,
# LibreOffice (the deck converted to PDF), poppler's pdftoppm (its pages rendered) and npm
# (axe-core, the accessibility checks the browser tests run in the page).
# Present: exit 0 at once, silently. Missing on Debian/Ubuntu: apt-get them, as root or through
# sudo when it needs no password. Otherwise: one line naming what to install, exit 1.
set -euo pipefail

missing=()    # commands not found
packages=()   # their Debian packages
have() { command -v "$1" >/dev/null 2>&1; }
need() {  # need DEBIAN_PACKAGE COMMAND...: present when any of the commands is
  local package=$1; shift
  local name
  for name in "$@"; do have "$name" && return 0; done
  missing+=("$1"); packages+=("$package")
}
need chromium chromium chromium-browser
need chromium-driver chromedriver
need libreoffice-impress soffice libreoffice
need poppler-utils pdftoppm
need npm npm  # axe-core for the accessibility tests (make test runs npm ci)
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
if [ "${EUID:-$(id -u)}" -ne 0 ]; then
  if have sudo && sudo -n true 2>/dev/null; then as_root=(sudo -n); else as_root=(none); fi
fi
if have apt-get && [ "${as_root[0]:-}" != none ]; then
  echo "system-deps: installing ${packages[*]} (missing: ${missing[*]})" >&2
  export DEBIAN_FRONTEND=noninteractive
  if "${as_root[@]}" apt-get update -qq >&2 \
     && "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2; then
    exit 0
  fi
fi
echo "crossgen's tests need ${missing[*]}: install them, then rerun make test —" \
  "Debian/Ubuntu: sudo apt-get install chromium chromium-driver libreoffice-impress poppler-utils npm;" \
  "Fedora: sudo dnf install chromium chromedriver libreoffice-impress poppler-utils npm;" \
  "macOS: brew install --cask chromium chromedriver libreoffice && brew install poppler node" >&2
exit 1
