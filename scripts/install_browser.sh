#!/usr/bin/env bash
# Installs what the browser tests need: Debian's chromium (no downloaded browser builds — the
# intranet/CI machines reach only the package registries) plus a CJK font (without one every
# Chinese character renders as a box in screenshots), and the pinned Python driver into the
# project's .venv (or $PYTHON). Never runs `playwright install`: the tests drive /usr/bin/chromium
# through executable_path.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  if [ "$(id -u)" != 0 ]; then
    echo "run as root (or: sudo apt-get install chromium fonts-noto-cjk)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk
fi

py="${PYTHON:-}"
if [ -z "$py" ]; then
  if [ -x .venv/bin/python ]; then py=.venv/bin/python; else py=python3; fi
fi
"$py" -m pip install -q "playwright==1.65.2"
chromium --version
