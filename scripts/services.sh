#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis for the tests.
#
#   scripts/services.sh start   start both (idempotent: a running pair is kept)
#   scripts/services.sh stop    stop both and remove their temporary directories
#   scripts/services.sh env     print the environment assignments for the tests
#   scripts/services.sh status  say what is running
#
# start writes, one per line, to $REINHARDT_SERVICES_ENV (default
# .bin/services.env at the repository root; the values hold no spaces or
# glob characters, so `env $(cat .bin/services.env) go test ...` is safe):
#
#   REINHARDT_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT/reinhardt_test
#   REINHARDT_TEST_REDIS=redis://127.0.0.1:PORT/0
#   REINHARDT_TEST_MYSQL=mysql://reinhardt:reinhardt@127.0.0.1:PORT/reinhardt_test
#   REINHARDT_TEST_REDIS_CLUSTER=127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3
#
# PostgreSQL is the highest version under /usr/lib/postgresql/*/bin, run as
# an unprivileged user (as root: the system user reinhardt-test, created when
# missing), with its data directory under a mktemp directory, trust auth,
# listening on 127.0.0.1 only on a free port, fsync off. Redis runs with no
# persistence on another free port. MariaDB (Debian's mariadb-server) is a
# throwaway instance made by mariadb-install-db in the same directory, run as
# that user on a free port, with the user reinhardt (password reinhardt, all
# privileges: tests create their own databases) and the database
# reinhardt_test in utf8mb4, given as the showcase's -db mysql:// URL. The Redis
# Cluster is three masters (redis-server --cluster-enabled yes, no replicas)
# joined by redis-cli --cluster create, on ports below 55535 (each node's bus
# is its port + 10000); its variable lists the nodes' addresses (go-redis's
# ClusterOptions.Addrs). When a
# server is missing and this is root with apt-get, its Debian package is
# installed.
#
# A service that cannot be provided is a warning (its variable is left out,
# and the tests that need it skip) unless CI=true or
# REINHARDT_REQUIRE_SERVICES=1, where it is an error. Progress goes to stderr.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state_dir=${REINHARDT_SERVICES_STATE:-$root/.bin/services}
env_file=${REINHARDT_SERVICES_ENV:-$root/.bin/services.env}
state=$state_dir/state
svc_user=${REINHARDT_SERVICES_USER:-reinhardt-test}
db_name=reinhardt_test

log() { echo "services: $*" >&2; }
required() { [ "${CI:-}" = "true" ] || [ "${REINHARDT_REQUIRE_SERVICES:-}" = "1" ]; }
is_root() { [ "$(id -u)" = 0 ]; }

# as_user runs a command as the unprivileged service user (or as ourselves
# when we are not root).
as_user() {
  if is_root; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u "$svc_user" -- "$@"
    else
      su -s /bin/sh "$svc_user" -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

ensure_user() {
  is_root || return 0
  getent passwd "$svc_user" >/dev/null 2>&1 && return 0
  log "creating system user $svc_user"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$svc_user" 2>/dev/null ||
    useradd -r -M -s /bin/false "$svc_user"
}

apt_install() {
  is_root && command -v apt-get >/dev/null 2>&1 || return 1
  log "installing $*"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y -qq "$@" || { apt-get update -qq && apt-get install -y -qq "$@"; }; } >&2
}

pg_bindir() {
  local d best="" bestv=0 v
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] || continue
    v=$(basename "$(dirname "$d")")
    v=${v%%.*}
    [[ $v =~ ^[0-9]+$ ]] || continue
    if [ "$v" -gt "$bestv" ]; then best=$d bestv=$v; fi
  done
  [ -n "$best" ] && echo "$best"
}

# free_port prints a TCP port on 127.0.0.1 nobody listens on right now.
free_port() {
  local p
  for py in /usr/bin/python3 python3; do
    if command -v "$py" >/dev/null 2>&1; then
      p=$("$py" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' 2>/dev/null) && [ -n "$p" ] && { echo "$p"; return; }
    fi
  done
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then echo "$p"; return; fi
  done
  return 1
}

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# redis_ping succeeds when a Redis answers PONG on 127.0.0.1:$1.
redis_ping() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = "PONG" ]
    return
  fi
  local line
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  IFS= read -r -t 1 line <&3
  exec 3>&-
  [ "${line%$'\r'}" = "+PONG" ]
}

load_state() {
  tmp="" pg_port="" pg_bin="" redis_port="" redis_pid="" owner=""
  mysql_port="" mysql_pid="" cluster_ports="" cluster_pids=""
  # shellcheck disable=SC1090
  [ -f "$state" ] && . "$state"
}

pg_pid() { [ -n "$tmp" ] && head -1 "$tmp/pg/postmaster.pid" 2>/dev/null; }

running() {
  load_state
  [ -n "$tmp" ] && [ -d "$tmp" ] || return 1
  if [ -n "$pg_port" ] && ! alive "$(pg_pid)"; then return 1; fi
  if [ -n "$redis_port" ] && ! alive "$redis_pid"; then return 1; fi
  if [ -n "$mysql_port" ] && ! alive "$mysql_pid"; then return 1; fi
  local p
  for p in $cluster_pids; do alive "$p" || return 1; done
  return 0
}

start_postgres() {
  pg_bin=$(pg_bindir)
  if [ -z "$pg_bin" ]; then
    apt_install postgresql || true
    pg_bin=$(pg_bindir)
  fi
  if [ -z "$pg_bin" ]; then
    log "PostgreSQL not found under /usr/lib/postgresql/*/bin"
    return 1
  fi
  mkdir -p "$tmp/pgsock"
  chown "$owner" "$tmp/pgsock" 2>/dev/null
  if ! as_user "$pg_bin/initdb" -D "$tmp/pg" -U postgres --auth=trust -E UTF8 --locale=C --no-sync \
    >"$tmp/initdb.log" 2>&1; then
    log "initdb failed:"; cat "$tmp/initdb.log" >&2
    return 1
  fi
  local try port
  for try in 1 2 3 4 5; do
    port=$(free_port) || return 1
    if as_user "$pg_bin/pg_ctl" -w -t 60 -D "$tmp/pg" -l "$tmp/pg.log" start \
      -o "-k $tmp/pgsock -h 127.0.0.1 -p $port -F -c max_connections=200 -c synchronous_commit=off -c full_page_writes=off" \
      >/dev/null 2>&1; then
      pg_port=$port
      break
    fi
    log "PostgreSQL did not start on port $port (try $try)"
    tail -5 "$tmp/pg.log" >&2 2>/dev/null
  done
  [ -n "$pg_port" ] || return 1
  if ! as_user "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres "$db_name" >>"$tmp/pg.log" 2>&1; then
    log "createdb failed"; tail -5 "$tmp/pg.log" >&2
    return 1
  fi
  log "PostgreSQL $(basename "$(dirname "$pg_bin")") on 127.0.0.1:$pg_port (data $tmp/pg)"
}

start_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    apt_install redis-server || true
    # The Debian package starts its own instance; this script does not use it.
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    log "redis-server not found"
    return 1
  fi
  mkdir -p "$tmp/redis"
  chown "$owner" "$tmp/redis" 2>/dev/null
  local try port i
  for try in 1 2 3 4 5; do
    port=$(free_port) || return 1
    rm -f "$tmp/redis/redis.pid"
    if as_user redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
      --dir "$tmp/redis" --daemonize yes --pidfile "$tmp/redis/redis.pid" \
      --logfile "$tmp/redis/redis.log" >/dev/null 2>&1; then
      for i in $(seq 1 100); do
        if redis_ping "$port"; then
          redis_port=$port
          redis_pid=$(cat "$tmp/redis/redis.pid" 2>/dev/null)
          log "Redis on 127.0.0.1:$redis_port"
          return 0
        fi
        sleep 0.05
      done
    fi
    log "Redis did not start on port $port (try $try)"
    tail -3 "$tmp/redis/redis.log" >&2 2>/dev/null
    alive "$(cat "$tmp/redis/redis.pid" 2>/dev/null)" && kill "$(cat "$tmp/redis/redis.pid")"
  done
  return 1
}

# free_low_port prints a free TCP port below 55535, so that a Redis Cluster
# node's bus port (its port + 10000) is a port too.
free_low_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 30000))
    if command -v python3 >/dev/null 2>&1; then
      python3 -c 'import socket,sys
for q in (int(sys.argv[1]), int(sys.argv[1]) + 10000):
    s = socket.socket()
    s.bind(("127.0.0.1", q))
    s.close()' "$p" 2>/dev/null && { echo "$p"; return; }
    elif ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q . && ! ss -Hltn "sport = :$((p + 10000))" 2>/dev/null | grep -q .; then
      echo "$p"; return
    fi
  done
  return 1
}

mysql_client() { command -v mariadb >/dev/null 2>&1 && echo mariadb || echo mysql; }

start_mysql() {
  if ! command -v mariadbd >/dev/null 2>&1 || ! command -v mariadb-install-db >/dev/null 2>&1; then
    apt_install mariadb-server || true
    # The Debian package may start its own instance; this script does not use it.
  fi
  if ! command -v mariadbd >/dev/null 2>&1 || ! command -v mariadb-install-db >/dev/null 2>&1; then
    log "mariadbd not found (Debian package mariadb-server)"
    return 1
  fi
  local d=$tmp/mysql
  mkdir -p "$d"
  chown "$owner" "$d" 2>/dev/null
  if ! as_user mariadb-install-db --no-defaults --datadir="$d/data" --user="$owner" \
    --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve >"$d/install.log" 2>&1; then
    log "mariadb-install-db failed:"; tail -20 "$d/install.log" >&2
    return 1
  fi
  local try port i
  for try in 1 2 3 4 5; do
    port=$(free_port) || return 1
    rm -f "$d/mysqld.pid"
    as_user mariadbd --no-defaults --datadir="$d/data" --socket="$d/mysql.sock" --port="$port" \
      --bind-address=127.0.0.1 --pid-file="$d/mysqld.pid" --log-error="$d/error.log" \
      --skip-name-resolve --skip-log-bin --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
      --innodb-buffer-pool-size=128M --max-connections=300 --character-set-server=utf8mb4 \
      --collation-server=utf8mb4_unicode_ci </dev/null >/dev/null 2>&1 &
    for i in $(seq 1 300); do
      if [ -S "$d/mysql.sock" ] && "$(mysql_client)" --no-defaults -uroot --socket="$d/mysql.sock" -e 'SELECT 1' >/dev/null 2>&1; then
        mysql_port=$port
        mysql_pid=$(cat "$d/mysqld.pid" 2>/dev/null)
        break 2
      fi
      sleep 0.1
    done
    log "MariaDB did not start on port $port (try $try)"
    tail -5 "$d/error.log" >&2 2>/dev/null
    alive "$(cat "$d/mysqld.pid" 2>/dev/null)" && kill "$(cat "$d/mysqld.pid")"
    sleep 1
  done
  [ -n "$mysql_port" ] || return 1
  if ! "$(mysql_client)" --no-defaults -uroot --socket="$d/mysql.sock" >>"$d/install.log" 2>&1 <<SQL
CREATE USER 'reinhardt'@'127.0.0.1' IDENTIFIED BY 'reinhardt';
CREATE USER 'reinhardt'@'localhost' IDENTIFIED BY 'reinhardt';
GRANT ALL PRIVILEGES ON *.* TO 'reinhardt'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'reinhardt'@'localhost' WITH GRANT OPTION;
CREATE DATABASE $db_name CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
SQL
  then
    log "MariaDB: creating the test user failed"; tail -5 "$d/install.log" >&2
    return 1
  fi
  log "MariaDB $(mariadbd --version 2>/dev/null | awk '{print $3}') on 127.0.0.1:$mysql_port (data $d/data)"
}

start_redis_cluster() {
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || {
    apt_install redis-server redis-tools || true
  }
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    log "redis-server or redis-cli not found"
    return 1
  fi
  local d=$tmp/redis-cluster n port i addrs="" ok=""
  cluster_ports="" cluster_pids=""
  for n in 1 2 3; do
    mkdir -p "$d/$n"
    chown "$owner" "$d" "$d/$n" 2>/dev/null
    for _ in 1 2 3 4 5; do
      port=$(free_low_port) || return 1
      rm -f "$d/$n/redis.pid"
      if as_user redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
        --cluster-enabled yes --cluster-config-file "$d/$n/nodes.conf" --cluster-node-timeout 5000 \
        --dir "$d/$n" --daemonize yes --pidfile "$d/$n/redis.pid" --logfile "$d/$n/redis.log" >/dev/null 2>&1; then
        for i in $(seq 1 100); do
          if redis_ping "$port"; then ok=1; break; fi
          sleep 0.05
        done
      fi
      if [ -n "$ok" ]; then
        cluster_ports="$cluster_ports $port"
        cluster_pids="$cluster_pids $(cat "$d/$n/redis.pid")"
        addrs="$addrs 127.0.0.1:$port"
        ok=""
        break
      fi
      log "Redis Cluster node $n did not start on port $port"
      tail -3 "$d/$n/redis.log" >&2 2>/dev/null
    done
  done
  # shellcheck disable=SC2086
  set -- $cluster_ports
  [ $# -eq 3 ] || return 1
  # shellcheck disable=SC2086
  if ! redis-cli --cluster create $addrs --cluster-replicas 0 --cluster-yes >"$d/create.log" 2>&1; then
    log "redis-cli --cluster create failed:"; tail -5 "$d/create.log" >&2
    return 1
  fi
  for i in $(seq 1 200); do
    if redis-cli -h 127.0.0.1 -p "$1" cluster info 2>/dev/null | grep -q 'cluster_state:ok'; then
      log "Redis Cluster on 127.0.0.1:$1, :$2, :$3"
      return 0
    fi
    sleep 0.05
  done
  log "Redis Cluster did not reach cluster_state:ok"
  return 1
}

write_files() {
  mkdir -p "$state_dir" "$(dirname "$env_file")"
  {
    printf 'tmp=%q\n' "$tmp"
    printf 'owner=%q\n' "$owner"
    printf 'pg_bin=%q\n' "${pg_bin:-}"
    printf 'pg_port=%q\n' "${pg_port:-}"
    printf 'redis_port=%q\n' "${redis_port:-}"
    printf 'redis_pid=%q\n' "${redis_pid:-}"
    printf 'mysql_port=%q\n' "${mysql_port:-}"
    printf 'mysql_pid=%q\n' "${mysql_pid:-}"
    printf 'cluster_ports=%q\n' "${cluster_ports:-}"
    printf 'cluster_pids=%q\n' "${cluster_pids:-}"
  } >"$state"
  {
    [ -n "${pg_port:-}" ] && echo "REINHARDT_TEST_POSTGRES=postgres://postgres@127.0.0.1:$pg_port/$db_name"
    [ -n "${redis_port:-}" ] && echo "REINHARDT_TEST_REDIS=redis://127.0.0.1:$redis_port/0"
    [ -n "${mysql_port:-}" ] && echo "REINHARDT_TEST_MYSQL=mysql://reinhardt:reinhardt@127.0.0.1:$mysql_port/$db_name"
    if [ -n "${cluster_ports:-}" ]; then
      # shellcheck disable=SC2086
      set -- $cluster_ports
      echo "REINHARDT_TEST_REDIS_CLUSTER=127.0.0.1:$1,127.0.0.1:$2,127.0.0.1:$3"
    fi
  } >"$env_file"
}

cmd_start() {
  if running; then
    log "already running (state $state)"
    write_files
    return 0
  fi
  [ -f "$state" ] && cmd_stop
  ensure_user || { log "cannot create user $svc_user"; required && return 1; }
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/reinhardt-services.XXXXXX") || return 1
  chmod 755 "$tmp"
  owner=$(id -un)
  if is_root; then
    owner=$svc_user
    chown "$owner" "$tmp"
  fi
  pg_port="" redis_port="" redis_pid="" pg_bin="" mysql_port="" mysql_pid="" cluster_ports="" cluster_pids=""
  local status=0
  start_postgres || { log "PostgreSQL unavailable"; pg_port=""; required && status=1; }
  start_redis || { log "Redis unavailable"; redis_port=""; required && status=1; }
  start_mysql || { log "MariaDB unavailable"; mysql_port=""; required && status=1; }
  start_redis_cluster || { log "Redis Cluster unavailable"; cluster_ports=""; required && status=1; }
  write_files
  if [ $status -ne 0 ]; then
    log "a required service failed to start; stopping"
    cmd_stop
  fi
  return $status
}

cmd_stop() {
  load_state
  if [ -z "$tmp" ]; then
    rm -f "$env_file"
    return 0
  fi
  if [ -n "$pg_bin" ] && [ -d "$tmp/pg" ] && alive "$(pg_pid)"; then
    as_user "$pg_bin/pg_ctl" -D "$tmp/pg" -m immediate -w -t 20 stop >/dev/null 2>&1 ||
      kill -9 "$(pg_pid)" 2>/dev/null
  fi
  if alive "$redis_pid"; then
    kill "$redis_pid" 2>/dev/null
    for _ in $(seq 1 50); do alive "$redis_pid" || break; sleep 0.05; done
    alive "$redis_pid" && kill -9 "$redis_pid" 2>/dev/null
  fi
  local p
  for p in $mysql_pid $cluster_pids; do alive "$p" && kill "$p" 2>/dev/null; done
  for p in $mysql_pid $cluster_pids; do
    for _ in $(seq 1 100); do alive "$p" || break; sleep 0.05; done
    alive "$p" && kill -9 "$p" 2>/dev/null
  done
  case $tmp in
    */reinhardt-services.*) rm -rf "$tmp" ;;
  esac
  rm -f "$state" "$env_file"
  log "stopped"
}

cmd_env() {
  if [ -f "$env_file" ]; then cat "$env_file"; else return 1; fi
}

cmd_status() {
  if running; then
    log "running: postgres port ${pg_port:-none}, redis port ${redis_port:-none}, mariadb port ${mysql_port:-none}, redis cluster ports ${cluster_ports:-none}, dir $tmp"
    return 0
  fi
  log "not running"
  return 1
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  env) cmd_env ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|env|status" >&2; exit 2 ;;
esac
