#!/usr/bin/env bash
# Debian's packer (1.6.6) azure-arm builder against the built jar: a Linux managed-image build from a custom managed
# image, communicator "none", in a temporary resource group that packer creates and deletes. packer 1.6.6 sends an
# empty SSH key for such builds, which Azure refuses: the script checks that the build gets as far as Azure lets it
# (sign-in, image lookups, group, template validation and deployment) and fails with Azure's own error, and that
# packer's clean-up then removes its deployment and group. Then the same build with the SSH communicator and a key
# of its own (section 7) goes all the way: VM deployed, SSH connection, deallocate, generalize, managed image, group
# deleted; and once more publishing to an Azure Compute Gallery (section 8: shared_image_gallery_destination, a
# version of the managed image replicated to two regions).
#
# packer 1.6.6 knows only the four named public clouds (cloud_environment_name Public, China, Germany,
# USGovernment; "AzureStackCloud" is refused before AZURE_ENVIRONMENT_FILEPATH is read), so it always talks to
# https://management.azure.com/ and https://login.microsoftonline.com/. The script points those two names at the
# emulator: the emulator serves HTTPS with a certificate made here for them (--cert/--key), packer trusts only that
# certificate (SSL_CERT_FILE), and HTTPS_PROXY names a small CONNECT proxy that tunnels those two host names to the
# emulator's HTTPS port and refuses every other one, so nothing leaves the machine.
#
# Steps, each checked: install packer when missing; start the emulator; sign in as a service principal at the token
# endpoint packer uses; create the image resource group, a VHD blob and the source image over REST; write the
# packer template; run packer build (PACKER_LOG=1 logs every request and response body); then check the refusal,
# that no image was made and that the temporary group is gone. Any other outcome prints the ARM calls that failed.
# PACKER_SH_KEEP=DIR keeps packer's log, the template and the emulator's log in DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/packer ] || ! command -v curl > /dev/null || ! command -v openssl > /dev/null; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q packer curl openssl ca-certificates
fi
PACKER=/usr/bin/packer
PY=/usr/bin/python3

JAR=target/azimuth.jar
[ -f "$JAR" ] || { echo "packer: $JAR is missing (run mvn package first)" >&2; exit 1; }
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
WORK=$(mktemp -d)
PID=""
PROXY_PID=""
GUEST_PID=""
cleanup() {
  if [ -n "${PACKER_SH_KEEP:-}" ]; then
    mkdir -p "$PACKER_SH_KEEP"
    cp -f "$WORK"/packer.log "$WORK"/build.json "$WORK"/build.out "$WORK"/azimuth.log "$WORK"/proxy.log \
      "$PACKER_SH_KEEP"/ 2>/dev/null || true
  fi
  if [ -n "$GUEST_PID" ]; then kill "$GUEST_PID" 2>/dev/null || true; wait "$GUEST_PID" 2>/dev/null || true; fi
  if [ -n "$PROXY_PID" ]; then kill "$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; fi
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "packer: FAILED: $*" >&2; exit 1; }
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

TENANT=72f988bf-0000-4000-8000-00000000a21e
SUBSCRIPTION=6f0c2a1e-5d3b-4c7a-9e21-0a2b3c4d5e6f
CLIENT_ID=2f9b4c1a-7d3e-4a5b-8c6d-0e1f2a3b4c5d
CLIENT_SECRET=packer-sh-secret
ARM=https://management.azure.com
AAD=https://login.microsoftonline.com
GROUP=packer-images-rg
SOURCE_IMAGE=packer-source
IMAGE=packer-built

echo "packer: $("$PACKER" version | head -1) against $JAR"

# 1. a certificate for the public endpoints' names (and localhost), then the emulator serving it
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=management.azure.com" \
  -addext "subjectAltName=DNS:management.azure.com,DNS:login.microsoftonline.com,DNS:localhost,IP:127.0.0.1" \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2> "$WORK/openssl.txt" || fail "openssl: $(cat "$WORK/openssl.txt")"
HTTP=$(free_port); HTTPS=$(free_port)
"$JAVA" -jar "$JAR" --http-port "$HTTP" --https-port "$HTTPS" --data-dir "$WORK/data" \
  --cert "$WORK/cert.pem" --key "$WORK/key.pem" > "$WORK/azimuth.log" 2>&1 &
PID=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$HTTP/_azimuth/health" > /dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || fail "the emulator did not start: $(tail -20 "$WORK/azimuth.log")"
  sleep 0.1
done
curl -sf "http://127.0.0.1:$HTTP/_azimuth/health" > /dev/null || fail "the emulator is not healthy"
curl -sf "http://127.0.0.1:$HTTP/_azimuth/cert" > "$WORK/azimuth.pem" || fail "GET /_azimuth/cert"
cmp -s "$WORK/azimuth.pem" "$WORK/cert.pem" || fail "the emulator does not serve the certificate given with --cert"

# 2. the CONNECT proxy: management.azure.com and login.microsoftonline.com to the emulator, nothing else anywhere
cat > "$WORK/proxy.py" <<'PY'
import socket, sys, threading
port, target, log, allowed = int(sys.argv[1]), int(sys.argv[2]), open(sys.argv[3], "a"), set(sys.argv[4].split(","))
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
def handle(c):
    head = b""
    while b"\r\n\r\n" not in head:
        d = c.recv(4096)
        if not d:
            c.close()
            return
        head += d
    line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split()
    host = parts[1].rsplit(":", 1)[0] if len(parts) == 3 and parts[0] == "CONNECT" else None
    log.write(("tunnel " if host in allowed else "refused ") + line + "\n")
    log.flush()
    if host not in allowed:
        c.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        c.close()
        return
    u = socket.create_connection(("127.0.0.1", target))
    c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    threading.Thread(target=pipe, args=(c, u), daemon=True).start()
    pipe(u, c)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(64)
while True:
    conn, _ = s.accept()
    threading.Thread(target=handle, args=(conn,), daemon=True).start()
PY
PROXY=$(free_port)
"$PY" "$WORK/proxy.py" "$PROXY" "$HTTPS" "$WORK/proxy.log" management.azure.com,login.microsoftonline.com \
  > "$WORK/proxy.out" 2>&1 &
PROXY_PID=$!
for _ in $(seq 1 50); do
  "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', $PROXY), 1)" 2>/dev/null && break
  kill -0 "$PROXY_PID" 2>/dev/null || fail "the proxy did not start: $(cat "$WORK/proxy.out")"
  sleep 0.1
done
CURL=(curl -s --cacert "$WORK/azimuth.pem" --proxy "http://127.0.0.1:$PROXY" --noproxy "")

# 3. sign in as packer does: client credentials at the v1 token endpoint, resource = the ARM endpoint
"${CURL[@]}" -X POST "$AAD/$TENANT/oauth2/token?api-version=1.0" \
  --data-urlencode grant_type=client_credentials --data-urlencode "client_id=$CLIENT_ID" \
  --data-urlencode "client_secret=$CLIENT_SECRET" --data-urlencode "resource=$ARM/" > "$WORK/token.json" \
  || fail "POST $AAD/$TENANT/oauth2/token"
TOKEN=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$WORK/token.json" 2>/dev/null) \
  || fail "no access_token in the token answer: $(cat "$WORK/token.json")"
[ "$(printf '%s' "$TOKEN" | tr -cd . | wc -c)" = 2 ] || fail "the access token is not a JWT"

arm() { # arm METHOD PATH [BODY]: prints the status code, the body goes to $WORK/arm.json
  local args=(-o "$WORK/arm.json" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOKEN")
  if [ $# -gt 2 ]; then args+=(-H "Content-Type: application/json" --data "$3"); fi
  "${CURL[@]}" "${args[@]}" "$ARM$2"
}
field() { "$PY" -c 'import json,sys
d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): d=d.get(k) if isinstance(d, dict) else None
print("" if d is None else d)' "$WORK/arm.json" "$1"; }

# 4. the image resource group, a 1 GiB fixed VHD in the embedded blob store, and the source image made from it
RG="/subscriptions/$SUBSCRIPTION/resourceGroups/$GROUP"
[ "$(arm PUT "$RG?api-version=2018-02-01" '{"location":"westeurope"}')" = 201 ] || fail "PUT $RG: $(cat "$WORK/arm.json")"
size=$((1 << 30)) blob="http://127.0.0.1:$HTTP/_azimuth/blobs/packeracct/vhds/source.vhd"
"$PY" - "$size" > "$WORK/footer.bin" <<'PY'
import struct, sys, time, uuid
size = int(sys.argv[1])
spt, heads = 255, 16
cyl = min(size // 512, 65535 * 16 * 255) // (spt * heads)
f = (b"conectix" + struct.pack(">II", 2, 0x00010000) + struct.pack(">Q", 0xFFFFFFFFFFFFFFFF)
     + struct.pack(">I", int(time.time()) - 946684800) + b"azim" + struct.pack(">I", 0x00010000) + b"Wi2k"
     + struct.pack(">QQ", size, size) + struct.pack(">HBB", cyl, heads, spt) + struct.pack(">I", 2)
     + b"\0\0\0\0" + uuid.uuid4().bytes + b"\0")
f = f + b"\0" * (512 - len(f))
f = f[:64] + struct.pack(">I", (~sum(f)) & 0xFFFFFFFF) + f[68:]
sys.stdout.buffer.write(f)
PY
curl -sf -X PUT -H "x-ms-blob-type: PageBlob" -H "x-ms-blob-content-length: $((size + 512))" -H "Content-Length: 0" \
  "$blob" > /dev/null || fail "cannot create the page blob $blob"
curl -sf -X PUT -H "x-ms-page-write: update" -H "x-ms-range: bytes=$size-$((size + 511))" \
  --data-binary "@$WORK/footer.bin" "$blob?comp=page" > /dev/null || fail "cannot write the VHD footer of $blob"
status=$(arm PUT "$RG/providers/Microsoft.Compute/images/$SOURCE_IMAGE?api-version=2018-04-01" \
  '{"location":"westeurope","properties":{"storageProfile":{"osDisk":{"osType":"Linux","osState":"Generalized","blobUri":"https://packeracct.blob.core.windows.net/vhds/source.vhd"}}}}')
case "$status" in 200|201) ;; *) fail "PUT source image: $status $(cat "$WORK/arm.json")";; esac
[ "$(field properties.provisioningState)" = Succeeded ] || fail "source image: $(cat "$WORK/arm.json")"

run_packer() { # run_packer FILE: packer build of $WORK/FILE through the proxy, trusting only the emulator; sets rc
  set +e
  env -u https_proxy -u http_proxy -u HTTP_PROXY -u no_proxy -u NO_PROXY -u AZURE_ENVIRONMENT_FILEPATH \
    HTTPS_PROXY="http://127.0.0.1:$PROXY" SSL_CERT_FILE="$WORK/azimuth.pem" SSL_CERT_DIR="$WORK/no-such-dir" \
    CHECKPOINT_DISABLE=1 PACKER_LOG=1 PACKER_LOG_PATH="$WORK/packer.log" PACKER_CONFIG_DIR="$WORK/packer.d" \
    timeout 900 "$PACKER" build -color=false "$WORK/$1" > "$WORK/build.out" 2>&1
  rc=$?
  set -e
  if grep -q "^refused" "$WORK/proxy.log"; then
    fail "packer asked for other hosts: $(grep '^refused' "$WORK/proxy.log" | sort -u)"
  fi
}

# 5. the packer template and run
cat > "$WORK/build.json" <<JSON
{"builders": [{
  "type": "azure-arm",
  "cloud_environment_name": "Public",
  "client_id": "$CLIENT_ID", "client_secret": "$CLIENT_SECRET",
  "tenant_id": "$TENANT", "subscription_id": "$SUBSCRIPTION",
  "os_type": "Linux",
  "custom_managed_image_name": "$SOURCE_IMAGE", "custom_managed_image_resource_group_name": "$GROUP",
  "managed_image_name": "$IMAGE", "managed_image_resource_group_name": "$GROUP",
  "location": "westeurope", "vm_size": "Standard_DS2_v2",
  "communicator": "none",
  "polling_duration_timeout": "5m"
}]}
JSON
"$PACKER" validate "$WORK/build.json" > "$WORK/validate.txt" 2>&1 || fail "packer validate: $(cat "$WORK/validate.txt")"
run_packer build.json
TEMP_GROUP=$(sed -n "s/.*-> ResourceGroupName : '\(pkr-Resource-Group-[a-z0-9]*\)'.*/\1/p" "$WORK/build.out" | head -1)
[ -n "$TEMP_GROUP" ] || fail "packer did not get to create its resource group: $(tail -30 "$WORK/build.out")"

# packer 1.6.6 makes no SSH key for communicator "none", so its Linux VM carries keyData "" and Azure refuses it
# (InvalidParameter, linuxConfiguration.ssh.publicKeys.keyData; fixed in later azure plugins, which make a throwaway
# key): the build must fail exactly there, with Azure's error nested in DeploymentFailed, after a validation and a
# deployment of packer's template, and packer's clean-up must delete its deployment and group.
if [ "$rc" = 0 ] || ! grep -q 'Code="DeploymentFailed"' "$WORK/build.out" \
   || ! grep -q '"code":"InvalidParameter","message":"The value of parameter linuxConfiguration.ssh.publicKeys.keyData is invalid."' "$WORK/build.out"; then
  echo "packer: packer build exited $rc, not with Azure's refusal of the empty SSH key; its output:" >&2
  sed 's/^/  | /' "$WORK/build.out" >&2
  # every ARM call that was answered with an error, but for the two 404s that are part of packer's checks
  "$PY" - "$WORK/packer.log" >&2 <<'PY'
import re, sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    if "Azure response" not in line:
        continue
    m = {k: v for k, v in re.findall(r'(\w[\w-]*)="((?:[^"\\]|\\.)*)"', line)}
    status = m.get("status", "200")
    if status[:1] in "23":
        continue
    if status.startswith("404") and (m.get("method") == "HEAD" or "/images/" in m.get("request", "")):
        continue
    print("packer: the failed call:", m.get("method"), m.get("request"), "->", status, m.get("body", "")[:600])
PY
  fail "packer build"
fi
grep -q "Validating deployment template" "$WORK/build.out" || fail "packer did not validate its template"
grep -q "Removing the created Deployment object" "$WORK/build.out" || fail "packer did not remove its deployment"
grep -q "Resource group has been deleted" "$WORK/build.out" || fail "packer did not delete its group"
[ "$(arm GET "/subscriptions/$SUBSCRIPTION/resourcegroups/$TEMP_GROUP?api-version=2018-02-01")" = 404 ] \
  || fail "the temporary group $TEMP_GROUP is still there"
[ "$(arm GET "$RG/providers/Microsoft.Compute/images/$IMAGE?api-version=2018-04-01")" = 404 ] \
  || fail "an image was made from a VM Azure would have refused"
[ "$(arm GET "/subscriptions/$SUBSCRIPTION/resourcegroups?api-version=2018-02-01")" = 200 ] || fail "GET resource groups"
"$PY" -c 'import json,sys; names=[g["name"] for g in json.load(open(sys.argv[1]))["value"]]; sys.exit(0 if names==[sys.argv[2]] else 1)' \
  "$WORK/arm.json" "$GROUP" || fail "groups left: $(cat "$WORK/arm.json")"
grep -q "$CLIENT_SECRET" "$WORK/azimuth.log" && fail "the client secret appears in the emulator's log"
echo "packer: azure-arm Linux build with communicator none: validated and deployed packer's template, refused as" \
  "Azure refuses it (empty SSH key), deployment and temporary group $TEMP_GROUP deleted by packer: passed"

# 7. the same build with the SSH communicator and a key of our own, which Azure accepts: packer deploys its VM,
# connects to it over SSH, deallocates and generalizes it, captures the managed image and deletes its group. The
# emulator runs no guest, so this script stands in for the VM's SSH daemon: packer's own ssh_proxy_host setting
# (SOCKS5) sends its connection to the VM's public address here, where paramiko (Debian's python3-paramiko) answers
# for the guest, accepting only the key packer put into the VM's osProfile and only for packer's admin user.
if ! "$PY" -c "import paramiko" 2> /dev/null; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q python3-paramiko
fi
ssh-keygen -q -t rsa -b 2048 -N "" -m PEM -f "$WORK/id_rsa" -C packer-sh > /dev/null 2>&1 \
  || "$PY" -c 'import paramiko,sys; k=paramiko.RSAKey.generate(2048); k.write_private_key_file(sys.argv[1]); open(sys.argv[1]+".pub","w").write("ssh-rsa "+k.get_base64()+" packer-sh\n")' "$WORK/id_rsa" \
  || fail "cannot make an SSH key"
cat > "$WORK/guest.py" <<'PY'
import ipaddress, socket, struct, sys, threading
import paramiko
port, public_key_file, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
wanted = open(public_key_file).read().split()[1]
log = open(log_path, "a")
host_key = paramiko.RSAKey.generate(2048)
vms = [ipaddress.ip_network(n) for n in ("203.0.113.0/24", "198.51.100.0/24")]  # the emulator's public addresses

def say(msg):
    log.write(msg + "\n")
    log.flush()

class Guest(paramiko.ServerInterface):
    def get_allowed_auths(self, username):
        return "publickey"
    def check_auth_publickey(self, username, key):
        ok = username == "packer" and key.get_base64() == wanted
        say("auth %s %s" % (username, "accepted" if ok else "refused"))
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED
    def check_channel_request(self, kind, chanid):
        return paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
    def check_channel_exec_request(self, channel, command):
        say("exec %s" % command.decode("utf-8", "replace"))
        def done():
            channel.send_exit_status(0)
            channel.close()
        threading.Timer(0.05, done).start()
        return True
    def check_channel_pty_request(self, *args):
        return True
    def check_channel_shell_request(self, channel):
        return True

def recv(c, n):
    data = b""
    while len(data) < n:
        d = c.recv(n - len(data))
        if not d:
            raise EOFError
        data += d
    return data

def handle(c):
    try:
        ver, n = recv(c, 2)
        recv(c, n)
        c.sendall(b"\x05\x00")
        ver, cmd, _, atyp = recv(c, 4)
        if atyp == 1:
            host = socket.inet_ntoa(recv(c, 4))
        elif atyp == 3:
            host = recv(c, recv(c, 1)[0]).decode()
        else:
            raise ValueError("address type %d" % atyp)
        dport = struct.unpack(">H", recv(c, 2))[0]
        try:
            allowed = cmd == 1 and dport == 22 and any(ipaddress.ip_address(host) in n for n in vms)
        except ValueError:
            allowed = False
        say(("connect " if allowed else "refused ") + "%s:%d" % (host, dport))
        if not allowed:
            c.sendall(b"\x05\x02\x00\x01\x00\x00\x00\x00\x00\x00")
            c.close()
            return
        c.sendall(b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00")
        t = paramiko.Transport(c)
        t.add_server_key(host_key)
        t.start_server(server=Guest())
        while t.is_active():
            ch = t.accept(1)
    except Exception as e:
        say("error %r" % (e,))

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(16)
say("listening")
while True:
    conn, _ = s.accept()
    threading.Thread(target=handle, args=(conn,), daemon=True).start()
PY
GUEST=$(free_port)
"$PY" "$WORK/guest.py" "$GUEST" "$WORK/id_rsa.pub" "$WORK/guest.log" > "$WORK/guest.out" 2>&1 &
GUEST_PID=$!
for _ in $(seq 1 100); do
  grep -q listening "$WORK/guest.log" 2>/dev/null && break
  kill -0 "$GUEST_PID" 2>/dev/null || fail "the guest stand-in did not start: $(cat "$WORK/guest.out")"
  sleep 0.1
done
"$PY" - "$WORK/build.json" "$WORK/build-ssh.json" "$WORK/id_rsa" "$GUEST" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
builder = b["builders"][0]
builder.update({"communicator": "ssh", "ssh_username": "packer", "ssh_private_key_file": sys.argv[3],
                "ssh_proxy_host": "127.0.0.1", "ssh_proxy_port": int(sys.argv[4]), "ssh_timeout": "2m"})
json.dump(b, open(sys.argv[2], "w"), indent=2)
PY
: > "$WORK/proxy.log"
run_packer build-ssh.json
kill "$GUEST_PID" 2>/dev/null || true
if [ "$rc" != 0 ]; then
  echo "packer: packer build (ssh) exited $rc; its output:" >&2
  sed 's/^/  | /' "$WORK/build.out" >&2
  sed 's/^/  guest | /' "$WORK/guest.log" >&2
  fail "packer build (ssh)"
fi
grep -q "^auth packer accepted" "$WORK/guest.log" || fail "packer did not sign in to its VM: $(cat "$WORK/guest.log")"
TEMP_GROUP=$(sed -n "s/.*-> ResourceGroupName : '\(pkr-Resource-Group-[a-z0-9]*\)'.*/\1/p" "$WORK/build.out" | head -1)
[ -n "$TEMP_GROUP" ] || fail "no temporary group in packer's output"
[ "$(arm GET "$RG/providers/Microsoft.Compute/images/$IMAGE?api-version=2018-04-01")" = 200 ] \
  || fail "GET the built image: $(cat "$WORK/arm.json")"
[ "$(field properties.provisioningState)" = Succeeded ] || fail "the built image: $(cat "$WORK/arm.json")"
[ "$(field properties.storageProfile.osDisk.osState)" = Generalized ] || fail "the built image: $(cat "$WORK/arm.json")"
case "$(field properties.sourceVirtualMachine.id)" in
  */resourceGroups/"$TEMP_GROUP"/providers/Microsoft.Compute/virtualMachines/*) ;;
  *) fail "the built image does not name packer's VM as its source: $(cat "$WORK/arm.json")";;
esac
[ "$(arm GET "/subscriptions/$SUBSCRIPTION/resourcegroups/$TEMP_GROUP?api-version=2018-02-01")" = 404 ] \
  || fail "the temporary group $TEMP_GROUP is still there"
[ "$(arm GET "/subscriptions/$SUBSCRIPTION/resourcegroups?api-version=2018-02-01")" = 200 ] || fail "GET resource groups"
"$PY" -c 'import json,sys; names=[g["name"] for g in json.load(open(sys.argv[1]))["value"]]; sys.exit(0 if names==[sys.argv[2]] else 1)' \
  "$WORK/arm.json" "$GROUP" || fail "groups left: $(cat "$WORK/arm.json")"
grep -q "$CLIENT_SECRET" "$WORK/azimuth.log" && fail "the client secret appears in the emulator's log"
echo "packer: azure-arm Linux build with the SSH communicator: managed image $IMAGE captured from packer's VM," \
  "temporary group $TEMP_GROUP deleted by packer: passed"

# 8. the SSH build once more, publishing to an Azure Compute Gallery (shared_image_gallery_destination): packer checks
# that the gallery's image definition exists before it builds, captures the managed image, then creates the version
# from it in the gallery and waits for its replication. The gallery and the definition are made here over REST.
GALLERY="$RG/providers/Microsoft.Compute/galleries/packergallery"
[ "$(arm PUT "$GALLERY?api-version=2022-03-03" '{"location":"westeurope"}')" = 201 ] || fail "PUT gallery: $(cat "$WORK/arm.json")"
status=$(arm PUT "$GALLERY/images/linux?api-version=2022-03-03" '{"location":"westeurope","properties":{"osType":"Linux","osState":"Generalized","identifier":{"publisher":"azimuth","offer":"packer","sku":"linux"}}}')
case "$status" in 200|201) ;; *) fail "PUT image definition: $status $(cat "$WORK/arm.json")";; esac
"$PY" - "$WORK/build-ssh.json" "$WORK/build-sig.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
builder = b["builders"][0]
builder["managed_image_name"] = "packer-built-sig"
builder["shared_image_gallery_destination"] = {"resource_group": "packer-images-rg", "gallery_name": "packergallery",
    "image_name": "linux", "image_version": "1.0.0", "replication_regions": ["westeurope", "northeurope"]}
builder["shared_image_gallery_timeout"] = "5m"
json.dump(b, open(sys.argv[2], "w"), indent=2)
PY
"$PACKER" validate "$WORK/build-sig.json" > "$WORK/validate.txt" 2>&1 || fail "packer validate (gallery): $(cat "$WORK/validate.txt")"
"$PY" "$WORK/guest.py" "$GUEST" "$WORK/id_rsa.pub" "$WORK/guest.log" > "$WORK/guest.out" 2>&1 &
GUEST_PID=$!
for _ in $(seq 1 100); do
  "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $GUEST), 1)" 2>/dev/null && break
  kill -0 "$GUEST_PID" 2>/dev/null || fail "the guest stand-in did not start again: $(cat "$WORK/guest.out")"
  sleep 0.1
done
: > "$WORK/proxy.log"
run_packer build-sig.json
kill "$GUEST_PID" 2>/dev/null || true
if [ "$rc" != 0 ]; then
  echo "packer: packer build (gallery) exited $rc; its output:" >&2
  sed 's/^/  | /' "$WORK/build.out" >&2
  fail "packer build (gallery)"
fi
[ "$(arm GET "$GALLERY/images/linux/versions/1.0.0?api-version=2022-03-03&\$expand=ReplicationStatus")" = 200 ] \
  || fail "GET the published version: $(cat "$WORK/arm.json")"
[ "$(field properties.provisioningState)" = Succeeded ] || fail "the published version: $(cat "$WORK/arm.json")"
[ "$(field properties.replicationStatus.aggregatedState)" = Completed ] || fail "the published version: $(cat "$WORK/arm.json")"
case "$(field properties.storageProfile.source.id)" in
  */resourceGroups/"$GROUP"/providers/Microsoft.Compute/images/packer-built-sig) ;;
  *) fail "the published version does not name packer's managed image as its source: $(cat "$WORK/arm.json")";;
esac
"$PY" -c 'import json,sys; r=[t["name"] for t in json.load(open(sys.argv[1]))["properties"]["publishingProfile"]["targetRegions"]]; sys.exit(0 if sorted(r)==["North Europe","West Europe"] else 1)' \
  "$WORK/arm.json" || fail "the published version's regions: $(cat "$WORK/arm.json")"
echo "packer: azure-arm build published to a gallery (shared_image_gallery_destination): version 1.0.0 of" \
  "packer-built-sig replicated to West Europe and North Europe: passed"
