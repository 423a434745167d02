#!/bin/sh
# Entrypoint of the harness's mariadb image (Debian's mariadb-server 10.11). Starts as root only to
# give the volume to the mysql user (hostPath volumes are created root-owned), then drops to mysql.
# First start: mariadb-install-db. Every start: root's password from $MARIADB_ROOT_PASSWORD and the
# database $MARIADB_DATABASE, through an init file (idempotent statements).
set -eu
DATADIR="${MARIADB_DATADIR:-/var/lib/mysql/data}"
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$DATADIR" /run/mysqld
  chown mysql:mysql "$(dirname "$DATADIR")" "$DATADIR" /run/mysqld
  exec setpriv --reuid=mysql --regid=mysql --init-groups "$0" "$@"
fi
: "${MARIADB_ROOT_PASSWORD:?set MARIADB_ROOT_PASSWORD (from the Secret)}"
if [ ! -d "$DATADIR/mysql" ]; then
  mariadb-install-db --datadir="$DATADIR" --skip-test-db --auth-root-authentication-method=normal >/dev/null
  echo "kv-entrypoint: initialised $DATADIR"
fi
init=$(mktemp)
chmod 0600 "$init"
pw=$(printf '%s' "$MARIADB_ROOT_PASSWORD" | sed "s/\\\\/\\\\\\\\/g; s/'/\\\\'/g")
{
  echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$pw';"
  echo "CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '$pw';"
  echo "ALTER USER 'root'@'%' IDENTIFIED BY '$pw';"
  echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
  if [ -n "${MARIADB_DATABASE:-}" ]; then echo "CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;"; fi
} > "$init"
exec mariadbd --datadir="$DATADIR" --bind-address=0.0.0.0 --skip-name-resolve --init-file="$init" "$@"
