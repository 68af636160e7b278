#!/bin/sh
# nginx as a spark2 worker (see README.md, "Recipes"):
#
#   spark2 -n 2 --stop-signal QUIT --ready 500ms --set 'NGINX=3;' examples/recipes/nginx/run.sh
#
# nginx cannot take fd 3 from LISTEN_FDS; it inherits listening sockets from
# the env var NGINX ("3;": fd 3), and uses one for a `listen` whose address
# is the socket's own. This script writes nginx.conf (next to it) with that
# address into a prefix of its own for the slot, then execs nginx, which
# keeps the pid spark2 watches. NGINX_KEEPALIVE_TIMEOUT (--set) is nginx's
# keepalive_timeout, 0 by default (see nginx.conf).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${NGINX:?set NGINX=3; (spark2 --set 'NGINX=3;') so that nginx takes spark2s socket}"
: "${PORT:?no PORT: run this under spark2}"

# The socket's address: SPARK2_HOST, or with "*" (all interfaces) [::] if
# spark2 bound a dual-stack IPv6 socket, else 0.0.0.0.
host=${SPARK2_HOST:-*}
case $host in
*:*) listen="[$host]:$PORT" ;;
'*')
	inode=$(readlink /proc/$$/fd/3 | tr -dc 0-9)
	if awk -v i="$inode" '$10 == i { found = 1 } END { exit !found }' /proc/net/tcp6 2>/dev/null; then
		listen="[::]:$PORT"
	else
		listen="0.0.0.0:$PORT"
	fi
	;;
*) listen="$host:$PORT" ;;
esac

# nginx takes an inherited socket as it is, and expects it non-blocking (as
# its own are); spark2 passes it blocking (systemd's default), and an nginx
# worker would then block in accept() whenever another process took the
# connection it was woken for, leaving its other connections unanswered.
# O_NONBLOCK belongs to the socket that every worker shares: setting it here
# sets it for all of them. perl is Debian's (perl-base is essential).
perl -MFcntl -e 'open(my $s, "+<&=", 3) or die "fd 3: $!\n";
	my $f = fcntl($s, F_GETFL, 0) or die "fd 3: $!\n";
	fcntl($s, F_SETFL, $f | O_NONBLOCK) or die "fd 3: $!\n"'

prefix=${TMPDIR:-/tmp}/spark2-nginx-${SPARK2_WORKER_ID:-0}
mkdir -p "$prefix/tmp"
# A file per process: the worker this one replaces may still be running
# with its own; the pid file nginx removes itself when it ends.
rm -f "$prefix"/nginx.*.conf
conf=$prefix/nginx.$$.conf
sed -e "s|@LISTEN@|$listen|" -e "s|@KEEPALIVE@|${NGINX_KEEPALIVE_TIMEOUT:-0}|" \
	-e "s|^pid nginx.pid;|pid nginx.$$.pid;|" "$here/nginx.conf" >"$conf"
exec nginx -p "$prefix/" -c "$conf" -e stderr
