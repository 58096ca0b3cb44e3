#!/usr/bin/env bash
# What the browser tests need from Debian: Chromium and Japanese fonts.
# Installed with apt-get when missing and running as root; otherwise says what to install.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "ブラウザのテストに必要なパッケージがありません: ${missing[*]}" >&2
  echo "root で make test を実行するか、sudo apt-get install ${missing[*]} を実行してください。" >&2
  exit 1
fi
echo "apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
