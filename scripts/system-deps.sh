#!/usr/bin/env bash
# Debian packages the test suite needs beside Python: independent calendar parsers (libical through
# python3-gi, ical.js through Node.js), Chromium for the browser tests, Pango and a font for
# WeasyPrint, redis-server for the rate-limit tests (started by the tests on a free port), zbarimg
# (zbar-tools) to decode the QR codes back in the tests, ffmpeg to film a QR code for the scanner's
# fake camera, Dovecot (dovecot-imapd) for the calendar
# replies read over IMAP (started by the tests as a process of their own on a free port; the
# package's system service is not needed) and openssl for its test certificate. Installs
# what is missing when run as root; otherwise says which command to run.
set -euo pipefail

# Usage: system-deps.sh [run|test]. The service itself needs Pango and a font (WeasyPrint renders
# the PDFs); the tests need the rest as well.
runtime=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
if [ "${1:-test}" = run ]; then
  packages=("${runtime[@]}")
else
  packages=("${runtime[@]}" chromium gir1.2-ical-3.0 python3-gi nodejs npm redis-server zbar-tools ffmpeg dovecot-imapd openssl)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
# Node.js may come from elsewhere than Debian (nvm, NodeSource): accept any node and npm on PATH.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<< "${missing[*]:-}"
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
apt-get -o DPkg::Lock::Timeout=300 update -qq
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}" >/dev/null
