#!/usr/bin/env bash
# Debian packages the tests need: Chromium and its driver (browser tests; never a browser
# download), poppler-utils (pdftotext), Pango and DejaVu fonts (WeasyPrint). Installed with apt-get when missing.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
command -v pdftotext >/dev/null || need+=(poppler-utils)
# WeasyPrint (the profile's PDF) needs Pango and a font with the French characters and ▲▼≈.
for pkg in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "Installation des paquets Debian manquants : ${need[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
