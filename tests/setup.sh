#!/bin/sh
# setup.sh BUILD-PKGS... -- TEST-PKGS...: install the Debian packages that
# are missing, with apt-get when we are root (or have sudo), otherwise say
# exactly which to install. Also makes the zh_CN locales the console
# tests use (UTF-8, GB18030, GBK), which Debian does not ship by default.
set -u
missing=""
for p in "$@"; do
	[ "$p" = "--" ] && continue
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; else
		echo "dutydesk needs these Debian packages:$missing" >&2
		echo "install them with: apt-get install$missing" >&2
		exit 1
	fi
	echo "setup: installing$missing" >&2
	$SUDO apt-get update -qq >/dev/null 2>&1
	if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null; then
		echo "setup: apt-get failed; install by hand: apt-get install$missing" >&2
		exit 1
	fi
fi
# The console's tests also run in the legacy Chinese charsets that
# many Chinese SSH clients use.
for l in zh_CN.UTF-8:UTF-8 zh_CN.GB18030:GB18030 zh_CN.GBK:GBK; do
	name=${l%%:*} charset=${l#*:}
	pat=$(echo "$name" | sed 's/-//; s/\./\\./')
	locale -a 2>/dev/null | sed 's/-//' | grep -qix "$pat" && continue
	if [ "$(id -u)" = 0 ] && command -v localedef >/dev/null; then
		localedef -i zh_CN -f "$charset" "$name" 2>/dev/null ||
			echo "setup: could not make the $name locale" >&2
	fi
done
exit 0
