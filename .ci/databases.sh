#!/usr/bin/env bash
# Starts throw-away PostgreSQL and MariaDB servers on loopback, in a temp folder, and exports
#   PIPELINE_POSTGRES_URL=postgres://postgres:postgres@127.0.0.1:<port>/pipeline
#   PIPELINE_MYSQL_URL=mysql://pipeline:pipeline@127.0.0.1:<port>/pipeline
# Source it (". .ci/databases.sh"); call stop_databases (or let the EXIT trap) to stop them.
# Installs the Debian packages when they are missing (as root; .ci/run installs them first).
# Sourced, so it sets no shell options of its own: a mistake here must not close your shell.

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ -z "$(pg_bin)" ] || ! command -v mariadbd >/dev/null 2>&1; then
  echo "== installing postgresql and mariadb-server"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql mariadb-server >/dev/null
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
    shuf -i 20000-60000 -n 1
}

DB_ROOT=$(mktemp -d /tmp/pipeline-db-XXXXXX)
chmod 755 "$DB_ROOT"
PG_BIN=$(pg_bin)
PG_PORT=$(free_port)
mkdir -p "$DB_ROOT/pg"
chown postgres:postgres "$DB_ROOT/pg"
# TCP connections need the password (as on a real server); the socket in the temp folder is for setup.
su postgres -s /bin/sh -c "$PG_BIN/initdb -D $DB_ROOT/pg/data -U postgres --auth-local=trust --auth-host=scram-sha-256 --no-sync -E UTF8 --locale=C.UTF-8" >/dev/null
su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D $DB_ROOT/pg/data -l $DB_ROOT/pg/server.log -w -o '-c listen_addresses=127.0.0.1 -p $PG_PORT -k $DB_ROOT/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200' start" >/dev/null
su postgres -s /bin/sh -c "$PG_BIN/psql -h $DB_ROOT/pg -p $PG_PORT -U postgres -q -c \"ALTER USER postgres PASSWORD 'postgres'\" -c 'CREATE DATABASE pipeline'" >/dev/null

MY_PORT=$(free_port)
mkdir -p "$DB_ROOT/mysql"
mariadb-install-db --datadir="$DB_ROOT/mysql/data" --user=root --auth-root-authentication-method=socket >/dev/null 2>&1
mariadbd --datadir="$DB_ROOT/mysql/data" --user=root --port="$MY_PORT" --bind-address=127.0.0.1 \
  --socket="$DB_ROOT/mysql/mysqld.sock" --pid-file="$DB_ROOT/mysql/mysqld.pid" \
  --innodb-flush-log-at-trx-commit=0 --skip-log-bin --skip-name-resolve --max-connections=200 --local-infile=1 \
  --secure-file-priv="$DB_ROOT" >"$DB_ROOT/mysql/server.log" 2>&1 &
for _ in $(seq 1 150); do
  mariadb -S "$DB_ROOT/mysql/mysqld.sock" -u root -e 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.2
done
mariadb -S "$DB_ROOT/mysql/mysqld.sock" -u root -e "DELETE FROM mysql.global_priv WHERE User = ''; FLUSH PRIVILEGES; CREATE DATABASE pipeline; CREATE USER 'pipeline'@'%' IDENTIFIED BY 'pipeline'; GRANT ALL PRIVILEGES ON *.* TO 'pipeline'@'%' WITH GRANT OPTION; FLUSH PRIVILEGES;"

export PIPELINE_POSTGRES_URL="postgres://postgres:postgres@127.0.0.1:$PG_PORT/pipeline"
export PIPELINE_MYSQL_URL="mysql://pipeline:pipeline@127.0.0.1:$MY_PORT/pipeline"
export PIPELINE_DB_ROOT="$DB_ROOT"

stop_databases() {
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D $DB_ROOT/pg/data -m fast stop" >/dev/null 2>&1 || true
  if [ -f "$DB_ROOT/mysql/mysqld.pid" ]; then kill "$(cat "$DB_ROOT/mysql/mysqld.pid")" 2>/dev/null || true; fi
  sleep 1
  rm -rf "$DB_ROOT"
}
echo "== PostgreSQL on 127.0.0.1:$PG_PORT, MariaDB on 127.0.0.1:$MY_PORT"
