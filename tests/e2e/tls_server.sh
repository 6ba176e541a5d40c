# TLS test helpers, sourced after lib.sh (and after $PY is set): openssl s_server on a free
# local port with an issued certificate, and curl against it trusting only a given root.
#   start_server LEAF KEY CHAIN    sets PORT; servers are stopped on exit
#   https_get NAME [CAFILE]        curl https://NAME:PORT/ (NAME resolved to 127.0.0.1); curl's exit status
#   expect_name_refused NAME [CAFILE]   curl must refuse the certificate (exit 60, or 51 in older curl)
# Servers we start are stopped on exit, whatever happens.
SERVER_PIDS=()
stop_servers() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do
    kill "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
  done
  SERVER_PIDS=()
}
trap 'stop_servers; rm -rf "$WORK"' EXIT

# No proxy between curl and 127.0.0.1.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_server LEAF KEY CHAIN: sets PORT to where an `openssl s_server -www` listens on 127.0.0.1.
PORT=""
start_server() {
  local leaf=$1 key=$2 chain=$3 attempt pid log i
  for attempt in 1 2 3 4 5; do
    PORT=$(free_port) || fail "python3 could not find a free port"
    log="$WORK/s_server.$PORT.log"
    openssl s_server -accept "127.0.0.1:$PORT" -cert "$leaf" -key "$key" -cert_chain "$chain" -www \
      < /dev/null > "$log" 2>&1 &
    pid=$!
    SERVER_PIDS+=("$pid")
    # s_server prints ACCEPT once it listens; a port taken meanwhile makes it exit: try another.
    for ((i = 0; i < 100; i++)); do
      if grep -q '^ACCEPT' "$log"; then return 0; fi
      kill -0 "$pid" 2> /dev/null || break
      sleep 0.1
    done
    kill "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    echo "s_server on port $PORT did not start (attempt $attempt):" >&2
    cat "$log" >&2
  done
  fail "openssl s_server did not start"
}

# https_get NAME [CAFILE]: GET https://NAME:PORT/ with NAME resolved to 127.0.0.1; exit status of curl.
https_get() {
  local name=$1 cafile=${2:-$WORK/root.pem}
  local args=(--silent --show-error --fail --noproxy '*' --max-time 10 --cacert "$cafile")
  # Host names are resolved to 127.0.0.1 by curl itself; an IP address is used as it is.
  [[ "$name" =~ ^[0-9.]+$ ]] || args+=(--resolve "$name:$PORT:127.0.0.1")
  curl "${args[@]}" "https://$name:$PORT/"
}

# expect_name_refused NAME [CAFILE]: curl must fail on certificate verification (60, or 51 in older curl).
expect_name_refused() {
  LAST_CMD="curl https://$1:$PORT/ --cacert ${2:-root.pem}"
  local got=0
  https_get "$@" > "$OUT" 2> "$ERR" || got=$?
  [[ "$got" == 60 || "$got" == 51 ]] || fail "curl to $1 with ${2:-the pocketca root}: expected exit 60 or 51 (certificate refused), got $got"
}
