# Sourced by the .ci checks that run the built jar through bin/azimuth: installing what they need, a fresh emulator
# on a free port, and its cleanup. Each check sets NAME (for its messages) before sourcing this.

# apt_install PKG...: Debian's packages with apt-get (through sudo when not root)
apt_install() {
  local sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "$@"
}

WORK=$(mktemp -d)
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "$NAME: FAILED: $*" >&2; [ -f "$WORK/azimuth.log" ] && tail -40 "$WORK/azimuth.log" >&2; exit 1; }

# start_emulator [FLAG...]: bin/azimuth on a free HTTP port (HTTPS off) and a data directory of its own, once healthy;
# sets PID and B (its base URL)
start_emulator() {
  local http
  http=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  bin/azimuth --http-port "$http" --https-port -1 --data-dir "$WORK/data" "$@" > "$WORK/azimuth.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$http/_azimuth/health" > /dev/null 2>&1 && break
    kill -0 "$PID" 2>/dev/null || fail "the emulator did not start"
    sleep 0.1
  done
  curl -sf "http://127.0.0.1:$http/_azimuth/health" > /dev/null || fail "the emulator is not healthy"
  B="http://127.0.0.1:$http"
}
