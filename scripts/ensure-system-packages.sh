#!/usr/bin/env bash
# Install the Debian packages the portal and its tests need, only those that are missing.
# Fast when everything is there: it asks dpkg, and calls apt-get only for what is absent.
set -euo pipefail

packages=(
  gettext          # msgfmt, to compile the Spanish translations
  libpango-1.0-0   # WeasyPrint renders letters with Pango
  libpangoft2-1.0-0
  libharfbuzz-subset0  # WeasyPrint subsets embedded fonts with it; without it, fontTools takes ~0.5 s per CJK letter
  fonts-dejavu-core
  fonts-dejavu-extra  # DejaVu Sans Condensed, so long address lines fit a letter's envelope window
  fonts-wqy-microhei  # Chinese and Korean glyphs for the "free help in your language" lines on letters
  poppler-utils    # pdftotext, with which the tests read issued letters back
  chromium         # the browser tests drive Debian's Chromium through Playwright (never `playwright install`)
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing system packages: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
