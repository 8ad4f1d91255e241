#!/usr/bin/env bash
# The browser tests drive Debian's headless Chromium through Playwright (Playwright's own browser
# download does not work on these machines). Installs the package where it is missing and we are root.
set -euo pipefail
# fonts-noto-cjk: without a CJK font the pages (and the screenshots) show boxes for Chinese text.
CHROMIUM=${SMZ_CHROMIUM:-/usr/bin/chromium}
if [[ -x "$CHROMIUM" ]] && fc-list :lang=zh 2>/dev/null | grep -q .; then
  exit 0
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "ensure-browser: installing Debian's chromium and a CJK font"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  exit 0
fi
if [[ -x "$CHROMIUM" ]]; then
  echo "ensure-browser: no CJK font (fonts-noto-cjk); the browser tests run, the screenshots show boxes." >&2
  exit 0
fi
echo "ensure-browser: $CHROMIUM is missing. Install Debian's chromium (apt-get install chromium) or set" \
  "SMZ_CHROMIUM to a Chromium binary." >&2
exit 1
