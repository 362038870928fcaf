#!/bin/sh
# Remove what install.sh added for this user. Settings, logs and the offline copy
# (~/.local/share/clinicdesk) stay: delete that folder too to remove every trace.
set -eu
data="${XDG_DATA_HOME:-$HOME/.local/share}"
rm -f "$data/applications/clinicdesk.desktop" "$data/icons/hicolor/scalable/apps/clinicdesk.svg"
if [ "$(readlink "$HOME/.local/bin/clinicdesk" 2>/dev/null)" = "$HOME/.local/lib/clinicdesk/clinicdesk" ]; then
  rm -f "$HOME/.local/bin/clinicdesk"
fi
rm -rf "$HOME/.local/lib/clinicdesk"
echo "ClinicDesk is removed (your data in $data/clinicdesk is kept)."
