#!/bin/sh
# deb postrm / rpm %postun of lego-persist: forget the removed units.
# Accounts and certificates under /var/lib/lego-persist are kept.
set -e

if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
	systemctl daemon-reload || true
fi

exit 0
