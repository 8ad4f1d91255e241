#!/usr/bin/env bash
# The print test (tests/reports/test_printing.py) renders every workbook to PDF the way an office suite
# prints it: LibreOffice headless (Debian's libreoffice-calc-nogui), then reads the PDF's text and word
# boxes with poppler's pdftotext. Installs both where they are missing and we are root.
set -euo pipefail
if command -v soffice >/dev/null && command -v pdftotext >/dev/null && fc-list :lang=zh 2>/dev/null | grep -q .; then
  exit 0
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "ensure-office: installing LibreOffice Calc (headless), poppler-utils and a CJK font"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    libreoffice-calc-nogui poppler-utils fonts-noto-cjk >/dev/null
  exit 0
fi
echo "ensure-office: soffice or pdftotext is missing. Install libreoffice-calc-nogui and poppler-utils" \
  "(apt-get install libreoffice-calc-nogui poppler-utils)." >&2
exit 1
