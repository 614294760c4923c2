# Sourced by scripts/test after scripts/lib/install.sh: PostgreSQL and Redis on this
# machine for the suite's second pass. A server already answering on its port is used as
# it is, never stopped or reconfigured; only one this script has to start is set up here.

STARTUP_WAIT_SECONDS=30
# Lines put first in pg_hba.conf of a cluster this script starts: the suite connects as
# postgres over TCP from this machine, without a password.
TRUST_MARKER="# scripts/test: the test suite connects from this machine without a password"

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for_port() {
  local waited=0
  until port_open "$1" "$2"; do
    [ "$waited" -ge "$STARTUP_WAIT_SECONDS" ] && return 1
    sleep 1
    waited=$((waited + 1))
  done
}

# PostgreSQL on 127.0.0.1:5432, trusting 127.0.0.1 and ::1, with a database `test`.
ensure_postgresql() {
  port_open 127.0.0.1 5432 && return
  echo "== starting PostgreSQL (nothing answers on 127.0.0.1:5432)"
  command -v pg_lsclusters >/dev/null || apt_install postgresql
  local version cluster
  read -r version cluster < <(pg_lsclusters --no-header | awk '$3 == 5432 { print $1, $2; exit }') ||
    true # none yet
  if [ -z "${version:-}" ]; then
    # Debian's package makes a cluster `main` unless told not to, on 5432 unless taken.
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    cluster=inspector
    as_root pg_createcluster --port 5432 "$version" "$cluster" >/dev/null
  fi
  local hba="/etc/postgresql/$version/$cluster/pg_hba.conf"
  # The first matching line wins: these go above the distribution's password rules.
  if ! as_root grep -qF "$TRUST_MARKER" "$hba"; then
    as_root sed -i \
      -e "1i $TRUST_MARKER" \
      -e "1i host all all 127.0.0.1/32 trust" \
      -e "1i host all all ::1/128 trust" "$hba"
  fi
  # Without an init system (a container) pg_ctlcluster starts it itself; under systemd
  # it hands over to the cluster's unit. `service` is the last resort.
  as_root pg_ctlcluster "$version" "$cluster" start || as_root service postgresql start || true
  if ! wait_for_port 127.0.0.1 5432; then
    echo "PostgreSQL $version/$cluster did not start on 127.0.0.1:5432:" >&2
    pg_lsclusters >&2
    as_root tail -n 20 "/var/log/postgresql/postgresql-$version-$cluster.log" >&2 || true
    return 1
  fi
  local found
  found=$(psql -w -h 127.0.0.1 -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'test'")
  [ "$found" = 1 ] || psql -w -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE test"
}

# Redis on 127.0.0.1:6379.
ensure_redis() {
  port_open 127.0.0.1 6379 && return
  echo "== starting Redis (nothing answers on 127.0.0.1:6379)"
  command -v redis-server >/dev/null || apt_install redis-server
  as_root service redis-server start >/dev/null 2>&1 || true
  if ! wait_for_port 127.0.0.1 6379; then
    # No init script could start it: run it directly, as the user Debian's package made.
    as_root runuser -u redis -- redis-server --bind 127.0.0.1 --port 6379 --daemonize yes \
      --dir /var/lib/redis --logfile /var/log/redis/redis-server.log
  fi
  if ! wait_for_port 127.0.0.1 6379; then
    echo "Redis did not start on 127.0.0.1:6379 (see /var/log/redis/)." >&2
    return 1
  fi
}
