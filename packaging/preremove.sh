#!/bin/sh
# deb prerm / rpm %preun of lego-persist: on removal (not on upgrade) stop
# and disable the timer so that systemd does not start a missing binary.
set -e

case "$1" in
remove | 0)
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
		systemctl disable --now lego-persist-renew.timer >/dev/null 2>&1 || true
		systemctl stop lego-persist-renew.service >/dev/null 2>&1 || true
	fi
	;;
esac

exit 0
