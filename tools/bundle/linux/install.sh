#!/bin/sh
# Install ClinicDesk for this user only (no root): run ./install.sh from the unpacked folder.
#
# Copies the folder to ~/.local/lib/clinicdesk, links ~/.local/bin/clinicdesk to it, and adds
# the menu entry (~/.local/share/applications) and its icon (~/.local/share/icons). Running it
# again replaces an older copy; ./uninstall.sh removes everything it put there. Your settings and
# offline copy (~/.local/share/clinicdesk) are never touched by either.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
lib="$HOME/.local/lib/clinicdesk"
bin="$HOME/.local/bin"
apps="$data/applications"
icons="$data/icons/hicolor/scalable/apps"

if [ ! -x "$here/clinicdesk" ]; then
  echo "install.sh: run it from the unpacked ClinicDesk folder (clinicdesk is not beside it)" >&2
  exit 1
fi
mkdir -p "$(dirname "$lib")" "$bin" "$apps" "$icons"
if [ "$here" != "$lib" ]; then
  rm -rf "$lib.new"
  cp -R "$here" "$lib.new"
  rm -rf "$lib"
  mv "$lib.new" "$lib"
fi
ln -sf "$lib/clinicdesk" "$bin/clinicdesk"
cp "$lib/clinicdesk.svg" "$icons/clinicdesk.svg"
# The menu entry starts the installed copy by its full path: ~/.local/bin may not be on PATH.
sed "s|^Exec=.*|Exec=\"$lib/clinicdesk\"|" "$lib/clinicdesk.desktop" > "$apps/clinicdesk.desktop"
chmod 644 "$apps/clinicdesk.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 \
  && gtk-update-icon-cache -q -t "$data/icons/hicolor" 2>/dev/null || true
echo "ClinicDesk is installed: find it in your applications menu, or run $bin/clinicdesk"
