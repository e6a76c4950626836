#!/usr/bin/env bash
# A 3-node MariaDB Galera cluster on loopback, for the cluster tests and the bench.
#
#   test/cluster/galera.sh start    # prints the nodes' URLs (TEST_GALERA_URLS) when all three are synced
#   test/cluster/galera.sh urls     # the URLs again, comma-separated
#   test/cluster/galera.sh stop     # stops every node and removes the cluster's folder
#   test/cluster/galera.sh kill N   # SIGKILL node N (1-3), for node-loss tests
#   test/cluster/galera.sh restart N  # starts node N again and waits for it to rejoin
#
# Each node is its own mariadbd (Debian's mariadb-server and galera-4) with its own data folder,
# socket, pid file and ports (SQL, group communication, IST, SST): nothing is shared with the
# server on port 3306, and no option file of the machine is read. State transfers use rsync. The
# rsync daemon of a joining node runs as the server's user (as `nobody` when the server runs as
# root), so the data folders are made writable to it. GALERA_DIR (default /tmp/hr-galera) holds
# everything; GALERA_PORT (default 23306) is the first node's SQL port, the others follow.
# Run as root (the nodes run as the mysql user); it takes 30-50 s to start on a busy machine.
set -euo pipefail

DIR=${GALERA_DIR:-/tmp/hr-galera}
BASE=${GALERA_PORT:-23306}
PROVIDER=${GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}
NODES=(1 2 3)
RUN_AS=mysql

fail() {
  echo "galera: $*" >&2
  exit 1
}

sql_port() { echo $((BASE + $1 - 1)); }
group_port() { echo $((BASE + 10 + $1 - 1)); }
ist_port() { echo $((BASE + 20 + $1 - 1)); }
sst_port() { echo $((BASE + 30 + $1 - 1)); }
node_dir() { echo "$DIR/node$1"; }
pid_of() { cat "$(node_dir "$1")/mariadbd.pid" 2>/dev/null || true; }
alive() {
  local pid
  pid=$(pid_of "$1")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}
client() { mariadb --no-defaults --protocol=socket -S "$(node_dir "$1")/mariadbd.sock" -u root -N -B "${@:2}"; }
urls() {
  local out=()
  for n in "${NODES[@]}"; do out+=("mysql://root@127.0.0.1:$(sql_port "$n")"); done
  (IFS=,; echo "${out[*]}")
}

prerequisites() {
  local missing=()
  [[ -e $PROVIDER ]] || missing+=(galera-4)
  command -v rsync >/dev/null || missing+=(rsync)
  command -v mariadbd >/dev/null || missing+=(mariadb-server)
  if ((${#missing[@]})); then
    echo "galera: apt-get install ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}" >/dev/null ||
      fail "could not install ${missing[*]}"
  fi
  [[ -e $PROVIDER ]] || fail "no Galera provider at $PROVIDER"
}

write_config() {
  local n=$1 dir members=()
  dir=$(node_dir "$n")
  for m in "${NODES[@]}"; do members+=("127.0.0.1:$(group_port "$m")"); done
  cat >"$dir/my.cnf" <<EOF
[mariadbd]
user = $RUN_AS
datadir = $dir/data
socket = $dir/mariadbd.sock
pid-file = $dir/mariadbd.pid
log-error = $dir/error.log
port = $(sql_port "$n")
bind-address = 127.0.0.1
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
binlog_format = ROW
default_storage_engine = InnoDB
innodb_autoinc_lock_mode = 2
innodb_buffer_pool_size = 128M
innodb_log_file_size = 64M
innodb_flush_log_at_trx_commit = 2
max_connections = 300
performance_schema = OFF
wsrep_on = ON
wsrep_provider = $PROVIDER
wsrep_cluster_name = hr_test_cluster
wsrep_cluster_address = gcomm://$(IFS=,; echo "${members[*]}")
wsrep_node_name = node$n
wsrep_node_address = 127.0.0.1:$(group_port "$n")
wsrep_provider_options = "gmcast.listen_addr=tcp://127.0.0.1:$(group_port "$n");ist.recv_addr=127.0.0.1:$(ist_port "$n");gcache.size=128M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT5S"
wsrep_sst_method = rsync
wsrep_sst_receive_address = 127.0.0.1:$(sst_port "$n")
wsrep_slave_threads = 2
EOF
}

launch() {
  local n=$1 dir
  dir=$(node_dir "$n")
  # setsid: the node outlives this script and its terminal; its own option file only.
  setsid mariadbd --defaults-file="$dir/my.cnf" "${@:2}" </dev/null >>"$dir/stdout.log" 2>&1 &
}

wait_synced() {
  local n=$1 state=''
  for _ in $(seq 1 120); do
    state=$(client "$n" -e "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2 || true)
    [[ $state == Synced ]] && return 0
    sleep 1
  done
  tail -n 30 "$(node_dir "$n")/error.log" >&2 || true
  fail "node $n is not synced after 120 s (state: ${state:-no answer})"
}

start() {
  prerequisites
  for n in "${NODES[@]}"; do
    alive "$n" && fail "node $n already runs (pid $(pid_of "$n")); stop the cluster first"
    for port in "$(sql_port "$n")" "$(group_port "$n")" "$(ist_port "$n")" "$(sst_port "$n")"; do
      ss -ltnH "sport = :$port" | grep -q . && fail "port $port is taken; choose another GALERA_PORT"
    done
  done
  rm -rf "$DIR"
  mkdir -p "$DIR"
  chmod 755 "$DIR"
  for n in "${NODES[@]}"; do
    mkdir -p "$(node_dir "$n")/data"
    write_config "$n"
  done
  mariadb-install-db --no-defaults --user="$RUN_AS" --datadir="$(node_dir 1)/data" \
    --auth-root-authentication-method=socket --skip-test-db >"$DIR/install.log" 2>&1 ||
    { cat "$DIR/install.log" >&2; fail "mariadb-install-db failed"; }
  for n in "${NODES[@]}"; do
    # The joiner's rsync daemon writes the data folder as the server's user (nobody under root).
    chown -R "$RUN_AS:$RUN_AS" "$(node_dir "$n")"
    chmod 770 "$(node_dir "$n")/data"
  done

  launch 1 --wsrep-new-cluster
  wait_synced 1
  # root over TCP without a password, like the standalone test server; replicated to the joiners.
  client 1 -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
    GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;" ||
    fail "could not create root@127.0.0.1"
  for n in 2 3; do
    launch "$n"
    wait_synced "$n"
  done
  local size
  size=$(client 1 -e "SHOW STATUS LIKE 'wsrep_cluster_size'" | cut -f2)
  [[ $size == 3 ]] || fail "cluster size is $size, not 3"
  echo "galera: 3 nodes synced" >&2
  urls
}

stop_node() {
  local n=$1 pid
  pid=$(pid_of "$n")
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -KILL "$pid" 2>/dev/null || true
}

stop() {
  [[ -d $DIR ]] || return 0
  # Resume any node a test paused, so that it can stop.
  for n in "${NODES[@]}"; do
    pid=$(pid_of "$n")
    [[ -n $pid ]] && kill -CONT "$pid" 2>/dev/null || true
  done
  for n in 3 2 1; do stop_node "$n"; done
  rm -rf "$DIR"
  echo "galera: stopped and removed $DIR" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  urls) urls ;;
  kill)
    pid=$(pid_of "${2:?node number}")
    [[ -n $pid ]] && kill -KILL "$pid"
    ;;
  restart)
    alive "${2:?node number}" && fail "node $2 runs"
    launch "$2"
    wait_synced "$2"
    ;;
  *) fail "usage: $0 start|stop|urls|kill N|restart N" ;;
esac
