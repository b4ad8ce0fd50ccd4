# Sourced by ./test.sh: installs Debian's clickhouse-server when missing, starts two throwaway ClickHouse servers on
# free ports of 127.0.0.1, each with its data in a temporary directory (never a system server), configured as one
# cluster of two shards (`millwright_two_shards`), exports MILLWRIGHT_TEST_CLICKHOUSE (the first server) and
# MILLWRIGHT_TEST_CLICKHOUSE_SHARD2, and stops and deletes both when the calling script exits, also on failure.
# shellcheck shell=bash

if ! command -v clickhouse-server >/dev/null 2>&1; then
  log "ClickHouse is missing; installing Debian's clickhouse-server"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clickhouse-server clickhouse-client >/dev/null; } \
     || ! command -v clickhouse-server >/dev/null 2>&1; then
    log "FAILED: clickhouse-server could not be installed; the ClickHouse tests cannot run."
    exit 1
  fi
fi

source "$(dirname "${BASH_SOURCE[0]}")/on-exit.sh"
ch_root="$(mktemp -d -t millwright-clickhouse.XXXXXX)"
ch_pids=()
stop_clickhouse() {
  local pid
  for pid in "${ch_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${ch_pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$ch_root"
}
on_exit stop_clickhouse

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Ports first: each server's config names both shards of the cluster.
ch_http=() ch_tcp=() ch_inter=()
for i in 1 2; do ch_http+=("$(free_port)"); ch_tcp+=("$(free_port)"); ch_inter+=("$(free_port)"); done

for i in 0 1; do
  dir="$ch_root/server$((i + 1))"
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas"
  cat > "$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/server.log</log><errorlog>$dir/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ch_http[$i]}</http_port>
  <tcp_port>${ch_tcp[$i]}</tcp_port>
  <interserver_http_port>${ch_inter[$i]}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <remote_servers>
    <millwright_two_shards>
      <shard><replica><host>127.0.0.1</host><port>${ch_tcp[0]}</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>${ch_tcp[1]}</port></replica></shard>
    </millwright_two_shards>
  </remote_servers>
</yandex>
XML
  cat > "$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
  clickhouse-server --config-file="$dir/config.xml" >"$dir/stdout.log" 2>&1 &
  ch_pids+=("$!")
  disown "$!"
done

for i in 0 1; do
  ready=""
  for _ in $(seq 1 300); do
    if [ "$(curl -s "http://127.0.0.1:${ch_http[$i]}/ping" 2>/dev/null)" = "Ok." ]; then ready=1; break; fi
    if ! kill -0 "${ch_pids[$i]}" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if [ -z "$ready" ]; then
    log "FAILED: ClickHouse server $((i + 1)) did not start; its log:"
    cat "$ch_root/server$((i + 1))"/*.log >&2 || true
    exit 1
  fi
done

ch_version="$(curl -s "http://127.0.0.1:${ch_http[0]}/" --data-binary 'SELECT version()')"
log "ClickHouse $ch_version running on 127.0.0.1:${ch_http[0]} and 127.0.0.1:${ch_http[1]} as cluster millwright_two_shards (data in $ch_root)"

export MILLWRIGHT_TEST_CLICKHOUSE="Host=127.0.0.1;Port=${ch_http[0]};Username=default;Database=default"
export MILLWRIGHT_TEST_CLICKHOUSE_SHARD2="Host=127.0.0.1;Port=${ch_http[1]};Username=default;Database=default"
