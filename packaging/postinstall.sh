#!/bin/sh
# deb postinst / rpm %post of lego-persist: make systemd see new or updated
# units. Enabling the timer stays the administrator's decision (set
# LEGO_EMAIL in /etc/default/lego-persist first):
#   systemctl enable --now lego-persist-renew.timer
set -e

# /etc/default/lego-persist may hold provider secrets; a copy kept from an
# older install (config, noreplace) is tightened too.
if [ -f /etc/default/lego-persist ]; then
	chmod 0600 /etc/default/lego-persist
fi

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
	systemctl daemon-reload || true
fi

exit 0
