#!/usr/bin/env bash
# Starts and stops ZooKeeper from Debian's package without systemd, on free
# loopback ports: a standalone server or an ensemble of N servers.
#
#   scripts/zookeeper.sh start DIR [--servers N] [--owner-pid PID]
#                                                 prints host:port[,host:port...];
#                                                 with --owner-pid the servers stop
#                                                 by themselves once PID is gone
#   scripts/zookeeper.sh stop DIR                 stops every server under DIR
#
# Each server lives in DIR/server-K (config, data, log, pid). Session timeouts
# from 1 s to 60 s are allowed, so tests can use short sessions.
set -euo pipefail

JAR=/usr/share/java/zookeeper.jar
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
usage() { echo "usage: $0 start DIR [--servers N] | stop DIR" >&2; exit 2; }

free_ports() {
  # asks the kernel for $1 distinct free loopback ports
  node -e '
    const net = require("node:net");
    const n = Number(process.argv[1]);
    const servers = [];
    let left = n;
    for (let i = 0; i < n; i++) {
      const s = net.createServer();
      servers.push(s);
      s.listen(0, "127.0.0.1", () => {
        if (--left === 0) {
          console.log(servers.map((x) => x.address().port).join(" "));
          servers.forEach((x) => x.close());
        }
      });
    }' "$1"
}

answers() {
  # true when the server on port $1 serves requests (four-letter word "srvr")
  local out
  out=$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf srvr >&3 && timeout 2 cat <&3) 2>/dev/null || true)
  [[ "$out" == *"Mode: "* ]]
}

start() {
  local dir=$1 servers=$2 owner=$3
  [ -f "$JAR" ] || { echo "zookeeper.sh: $JAR is missing; run scripts/install-deps.sh" >&2; exit 1; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  read -r -a ports <<<"$(free_ports $((servers * 3)))"
  local connect="" k
  for ((k = 1; k <= servers; k++)); do
    local sdir="$dir/server-$k"
    mkdir -p "$sdir/data"
    local client=${ports[$(( (k - 1) * 3 ))]}
    {
      echo "tickTime=500"
      echo "initLimit=20"
      echo "syncLimit=10"
      echo "minSessionTimeout=1000"
      echo "maxSessionTimeout=60000"
      echo "dataDir=$sdir/data"
      echo "clientPort=$client"
      echo "clientPortAddress=127.0.0.1"
      echo "admin.enableServer=false"
      echo "4lw.commands.whitelist=srvr,ruok,stat"
      echo "maxClientCnxns=0"
      if [ "$servers" -gt 1 ]; then
        local j
        for ((j = 1; j <= servers; j++)); do
          echo "server.$j=127.0.0.1:${ports[$(( (j - 1) * 3 + 1 ))]}:${ports[$(( (j - 1) * 3 + 2 ))]}"
        done
      fi
    } >"$sdir/zoo.cfg"
    [ "$servers" -gt 1 ] && echo "$k" >"$sdir/data/myid"
    echo "$client" >"$sdir/port"
    connect+="${connect:+,}127.0.0.1:$client"
  done
  for ((k = 1; k <= servers; k++)); do
    local sdir="$dir/server-$k"
    # setsid: the server outlives this script but not an explicit stop
    setsid java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
      -Dzookeeper.log.dir="$sdir" -Dzookeeper.root.logger=INFO,CONSOLE \
      -cp "/etc/zookeeper/conf:$JAR" org.apache.zookeeper.server.quorum.QuorumPeerMain "$sdir/zoo.cfg" \
      >"$sdir/zookeeper.log" 2>&1 </dev/null &
    echo $! >"$sdir/pid"
  done
  echo "$connect" >"$dir/connect"
  local deadline=$((SECONDS + 60))
  for ((k = 1; k <= servers; k++)); do
    local port
    port=$(cat "$dir/server-$k/port")
    until answers "$port"; do
      if ! kill -0 "$(cat "$dir/server-$k/pid")" 2>/dev/null; then
        echo "zookeeper.sh: server $k exited; see $dir/server-$k/zookeeper.log" >&2
        tail -20 "$dir/server-$k/zookeeper.log" >&2 || true
        stop "$dir"
        exit 1
      fi
      if [ $SECONDS -ge $deadline ]; then
        echo "zookeeper.sh: server $k did not start serving in 60 s; see $dir/server-$k/zookeeper.log" >&2
        stop "$dir"
        exit 1
      fi
      sleep 0.1
    done
  done
  if [ -n "$owner" ]; then
    # a watchdog: a test runner killed before its teardown must not leave servers behind
    setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec bash "$2" stop "$3"' _ "$owner" "$SELF" "$dir" \
      >/dev/null 2>&1 </dev/null &
  fi
  echo "$connect"
}

stop() {
  local dir=$1 pidfile pid
  shopt -s nullglob
  for pidfile in "$dir"/server-*/pid; do
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

[ $# -ge 2 ] || usage
cmd=$1 dir=$2
shift 2
servers=1
owner=""
while [ $# -gt 0 ]; do
  case "$1" in
    --servers) servers=${2:?}; shift 2 ;;
    --owner-pid) owner=${2:?}; shift 2 ;;
    *) usage ;;
  esac
done
[[ "$servers" =~ ^[1-9][0-9]?$ ]] || { echo "zookeeper.sh: --servers takes a number from 1 to 99" >&2; exit 2; }
case "$cmd" in
  start) start "$dir" "$servers" "$owner" ;;
  stop) stop "$dir" ;;
  *) usage ;;
esac
