#!/usr/bin/env bash
# The Azure CLI (Debian's azure-cli package, 2.45) against the built jar, as the README's recipe tells users:
# register the cloud, sign in as a service principal (and as a user with a device code), create a resource group
# and an image from a VHD blob, list and show it; create a VM from it (az's template deployment, with its network),
# deallocate and generalize it and capture it into an image; publish the first image to a gallery (az sig) and make
# a VM of its version; then the same sign-in refused with a wrong secret when principals are declared. Installs
# azure-cli with apt-get when it is missing. Every step's answer is checked; any difference fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/az ] || ! command -v curl > /dev/null; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q azure-cli curl ca-certificates
fi
AZ=/usr/bin/az   # Debian's, run by Debian's python3 (whatever python3 comes first on PATH)
PY=/usr/bin/python3

JAR=target/azimuth.jar
[ -f "$JAR" ] || { echo "az-cli: $JAR is missing (run mvn package first)" >&2; exit 1; }
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
WORK=$(mktemp -d)
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "az-cli: FAILED: $*" >&2; [ -f "$WORK/azimuth.log" ] && tail -40 "$WORK/azimuth.log" >&2; exit 1; }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

start() { # start [extra flags...]: a fresh instance on free ports
  HTTP=$(free_port); HTTPS=$(free_port)
  rm -rf "$WORK/data"
  "$JAVA" -jar "$JAR" --http-port "$HTTP" --https-port "$HTTPS" --data-dir "$WORK/data" "$@" > "$WORK/azimuth.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$HTTP/_azimuth/health" > /dev/null 2>&1 && break
    kill -0 "$PID" 2>/dev/null || fail "the emulator did not start"
    sleep 0.1
  done
  curl -sf "http://127.0.0.1:$HTTP/_azimuth/health" > /dev/null || fail "the emulator is not healthy"
  BASE="https://localhost:$HTTPS"
  curl -sf "http://127.0.0.1:$HTTP/_azimuth/cert" > "$WORK/azimuth.pem"
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

# a fixed VHD of 1 GiB in the embedded blob store: the page blob, then its footer (the zeros need no writing)
put_vhd() { # put_vhd account container name
  local size=$((1 << 30)) url="http://127.0.0.1:$HTTP/_azimuth/blobs/$1/$2/$3"
  /usr/bin/python3 - "$size" > "$WORK/footer.bin" <<'PY'
import struct, sys, time, uuid
size = int(sys.argv[1])
sectors = min(size // 512, 65535 * 16 * 255)
if sectors >= 65535 * 16 * 63:
    spt, heads = 255, 16
    cth = sectors // spt
else:
    spt = 17
    cth = sectors // spt
    heads = max(4, (cth + 1023) // 1024)
    if cth >= heads * 1024 or heads > 16:
        spt, heads = 31, 16
        cth = sectors // spt
    if cth >= heads * 1024:
        spt, heads = 63, 16
        cth = sectors // spt
f = (b"conectix" + struct.pack(">II", 2, 0x00010000) + struct.pack(">Q", 0xFFFFFFFFFFFFFFFF)
     + struct.pack(">I", int(time.time()) - 946684800) + b"azim" + struct.pack(">I", 0x00010000) + b"Wi2k"
     + struct.pack(">QQ", size, size) + struct.pack(">HBB", cth // heads, heads, spt) + struct.pack(">I", 2)
     + b"\0\0\0\0" + uuid.uuid4().bytes + b"\0")
f = f + b"\0" * (512 - len(f))
f = f[:64] + struct.pack(">I", (~sum(f)) & 0xFFFFFFFF) + f[68:]
sys.stdout.buffer.write(f)
PY
  curl -sf -X PUT -H "x-ms-blob-type: PageBlob" -H "x-ms-blob-content-length: $((size + 512))" -H "Content-Length: 0" \
    "$url" > /dev/null || fail "cannot create the page blob $url"
  curl -sf -X PUT -H "x-ms-page-write: update" -H "x-ms-range: bytes=$size-$((size + 511))" \
    --data-binary "@$WORK/footer.bin" "$url?comp=page" > /dev/null || fail "cannot write the VHD footer of $url"
}

az_env() {
  export AZURE_CONFIG_DIR="$WORK/az" AZURE_CORE_COLLECT_TELEMETRY=no AZURE_CORE_SURVEY_MESSAGE=no \
         AZURE_CORE_ERROR_RECOMMENDATION=off AZURE_CORE_NO_COLOR=yes REQUESTS_CA_BUNDLE="$WORK/azimuth.pem"
  rm -rf "$AZURE_CONFIG_DIR"; mkdir -p "$AZURE_CONFIG_DIR"
  # no version check against the internet on the first run
  printf '%s' '{"versions": {"azure-cli": {"local": "2.45.0"}, "core": {"local": "2.45.0"}, "telemetry": {"local": "1.0.8"}}, "update_time": "2099-01-01 00:00:00.000000"}' \
    > "$AZURE_CONFIG_DIR/versionCheck.json"
}

register_cloud() {
  "$AZ" cloud register -n Azimuth --profile 2020-09-01-hybrid \
    --endpoint-resource-manager "$BASE/" \
    --endpoint-active-directory "$BASE/adfs" \
    --endpoint-active-directory-resource-id "$BASE/" \
    --endpoint-active-directory-graph-resource-id "$BASE/graph/" > /dev/null || fail "az cloud register"
  "$AZ" cloud set -n Azimuth > /dev/null || fail "az cloud set"
}

TENANT=72f988bf-0000-4000-8000-00000000a21e
SUBSCRIPTION=6f0c2a1e-5d3b-4c7a-9e21-0a2b3c4d5e6f

echo "az-cli: $("$AZ" version --query '"azure-cli"' -o tsv 2>/dev/null || echo unknown) against $JAR"

# 1. the lenient default: any service principal signs in
start
put_vhd azcliacct vhds os.vhd
az_env
register_cloud
"$AZ" login --service-principal -u 2f9b4c1a-7d3e-4a5b-8c6d-0e1f2a3b4c5d -p "az-cli-secret" --tenant "$TENANT" \
  > "$WORK/login.json" || fail "az login"
[ "$("$AZ" account show --query id -o tsv)" = "$SUBSCRIPTION" ] || fail "az account show: not the emulator's subscription"
[ "$("$AZ" group create -n azcli-rg -l westeurope --query properties.provisioningState -o tsv)" = "Succeeded" ] \
  || fail "az group create"
state=$("$AZ" image create -g azcli-rg -n azcli-image --os-type Linux \
  --source "https://azcliacct.blob.core.windows.net/vhds/os.vhd" --query provisioningState -o tsv) || fail "az image create"
[ "$state" = "Succeeded" ] || fail "az image create: provisioningState $state"
[ "$("$AZ" image list -g azcli-rg --query '[].name' -o tsv)" = "azcli-image" ] || fail "az image list"
[ "$("$AZ" image show -g azcli-rg -n azcli-image --query storageProfile.osDisk.blobUri -o tsv)" \
  = "https://azcliacct.blob.core.windows.net/vhds/os.vhd" ] || fail "az image show"
# a VM from that image through az's template deployment (network included), then captured into a new image
imgid=$("$AZ" image show -g azcli-rg -n azcli-image --query id -o tsv)
"$AZ" vm create -g azcli-rg -n azvm1 --image "$imgid" --admin-username azureuser \
  --admin-password 'Az-cli-VM-Passw0rd!' --authentication-type password > "$WORK/vm.json" 2> "$WORK/vm.err" \
  || fail "az vm create: $(cat "$WORK/vm.err")"
"$PY" - "$WORK/vm.json" <<'PY' || fail "az vm create: $(cat "$WORK/vm.json")"
import json, sys
vm = json.load(open(sys.argv[1]))
assert vm["powerState"] == "VM running", vm
assert vm["privateIpAddress"] == "10.0.0.4", vm
assert vm["publicIpAddress"], vm
PY
deployment=$("$AZ" deployment group list -g azcli-rg --query "[?starts_with(name, 'vm_deploy_')].name" -o tsv) \
  || fail "az deployment group list"
[ -n "$deployment" ] || fail "az vm create left no vm_deploy_ deployment"
[ "$("$AZ" deployment group show -g azcli-rg -n "$deployment" --query properties.provisioningState -o tsv)" = Succeeded ] \
  || fail "az deployment group show $deployment"
ops=$("$AZ" deployment operation group list -g azcli-rg -n "$deployment" \
  --query "sort([?properties.provisioningState=='Succeeded'].properties.targetResource.resourceType)" -o tsv | tr '\n' ' ')
[ "$ops" = "Microsoft.Compute/virtualMachines Microsoft.Network/networkInterfaces Microsoft.Network/networkSecurityGroups Microsoft.Network/publicIPAddresses Microsoft.Network/virtualNetworks " ] \
  || fail "the deployment's operations: $ops"
# (Debian's az lacks the network module of its hybrid profile, so the NIC is read with az rest)
[ "$("$AZ" rest --method get --url "$BASE/subscriptions/$SUBSCRIPTION/resourceGroups/azcli-rg/providers/Microsoft.Network/networkInterfaces/azvm1VMNic?api-version=2022-07-01" \
  --query 'properties.ipConfigurations[0].properties.privateIPAddress' -o tsv)" = 10.0.0.4 ] || fail "az rest GET the VM's NIC"
grep -q "Az-cli-VM-Passw0rd!" "$WORK/azimuth.log" && fail "the VM's password appears in the emulator's log"
"$AZ" vm deallocate -g azcli-rg -n azvm1 > /dev/null 2> "$WORK/err.txt" || fail "az vm deallocate: $(cat "$WORK/err.txt")"
[ "$("$AZ" vm get-instance-view -g azcli-rg -n azvm1 --query "instanceView.statuses[?starts_with(code, 'PowerState/')].code | [0]" -o tsv)" \
  = "PowerState/deallocated" ] || fail "the VM is not deallocated"
"$AZ" vm generalize -g azcli-rg -n azvm1 > /dev/null 2> "$WORK/err.txt" || fail "az vm generalize: $(cat "$WORK/err.txt")"
state=$("$AZ" image create -g azcli-rg -n azcli-captured --source azvm1 --query provisioningState -o tsv 2> "$WORK/err.txt") \
  || fail "az image create --source azvm1: $(cat "$WORK/err.txt")"
[ "$state" = Succeeded ] || fail "az image create --source azvm1: provisioningState $state"
case "$("$AZ" image show -g azcli-rg -n azcli-captured --query sourceVirtualMachine.id -o tsv)" in
  */virtualMachines/azvm1) ;;
  *) fail "the captured image does not name azvm1 as its source";;
esac
# the Azure Compute Gallery: a gallery, an image definition, a version of the image, a VM from the version
"$AZ" sig create -g azcli-rg -r azcligallery > /dev/null 2> "$WORK/err.txt" || fail "az sig create: $(cat "$WORK/err.txt")"
"$AZ" sig image-definition create -g azcli-rg -r azcligallery -i linux --publisher azimuth --offer cli --sku linux \
  --os-type Linux --os-state Generalized > /dev/null 2> "$WORK/err.txt" \
  || fail "az sig image-definition create: $(cat "$WORK/err.txt")"
state=$("$AZ" sig image-version create -g azcli-rg -r azcligallery -i linux -e 1.0.0 --managed-image azcli-image \
  --query provisioningState -o tsv 2> "$WORK/err.txt") || fail "az sig image-version create: $(cat "$WORK/err.txt")"
[ "$state" = Succeeded ] || fail "az sig image-version create: provisioningState $state"
[ "$("$AZ" sig image-version show -g azcli-rg -r azcligallery -i linux -e 1.0.0 --expand ReplicationStatus \
  --query replicationStatus.aggregatedState -o tsv)" = Completed ] || fail "az sig image-version show --expand"
[ "$("$AZ" sig image-version list -g azcli-rg -r azcligallery -i linux --query '[].name' -o tsv)" = 1.0.0 ] \
  || fail "az sig image-version list"
verid=$("$AZ" sig image-version show -g azcli-rg -r azcligallery -i linux -e 1.0.0 --query id -o tsv)
"$AZ" vm create -g azcli-rg -n azvm2 --image "$verid" --admin-username azureuser --nsg-rule NONE \
  --admin-password 'Az-cli-VM-Passw0rd!' --authentication-type password --public-ip-address "" > "$WORK/vm2.json" \
  2> "$WORK/vm2.err" || fail "az vm create --image (gallery version): $(cat "$WORK/vm2.err")"
[ "$("$AZ" vm show -g azcli-rg -n azvm2 --query storageProfile.imageReference.exactVersion -o tsv)" = 1.0.0 ] \
  || fail "the VM made from the gallery version does not name it"
if "$AZ" sig image-definition delete -g azcli-rg -r azcligallery -i linux 2> "$WORK/err.txt"; then
  fail "az sig image-definition delete removed a definition that has a version"
fi
grep -q CannotDeleteResource "$WORK/err.txt" || fail "az sig image-definition delete: $(cat "$WORK/err.txt")"
"$AZ" sig image-version delete -g azcli-rg -r azcligallery -i linux -e 1.0.0 2> "$WORK/err.txt" \
  || fail "az sig image-version delete: $(cat "$WORK/err.txt")"
"$AZ" sig image-definition delete -g azcli-rg -r azcligallery -i linux 2> "$WORK/err.txt" \
  || fail "az sig image-definition delete: $(cat "$WORK/err.txt")"
"$AZ" sig delete -g azcli-rg -r azcligallery 2> "$WORK/err.txt" || fail "az sig delete: $(cat "$WORK/err.txt")"
[ "$("$AZ" sig list -g azcli-rg --query 'length(@)' -o tsv)" = 0 ] || fail "az sig list after the deletes"
token=$("$AZ" account get-access-token --query accessToken -o tsv) || fail "az account get-access-token"
[ "$(printf '%s' "$token" | tr -cd . | wc -c)" = 2 ] || fail "the access token is not a JWT"
grep -q "az-cli-secret" "$WORK/azimuth.log" && fail "the client secret appears in the emulator's log"
# a user signing in with a device code (approved at once), then reading what the service principal made
az_env
register_cloud
timeout 120 "$AZ" login --use-device-code > "$WORK/device.json" 2> "$WORK/device.txt" || fail "az login --use-device-code"
grep -q "enter the code" "$WORK/device.txt" || fail "no device code message: $(cat "$WORK/device.txt")"
[ "$("$AZ" account show --query user.type -o tsv)" = "user" ] || fail "the device code sign-in is not a user's"
[ "$("$AZ" image show -g azcli-rg -n azcli-image --query name -o tsv)" = "azcli-image" ] || fail "az image show (user)"
stop
echo "az-cli: lenient sign-in (service principal and device code), group, image create/list/show, vm create (template deployment), deallocate, generalize, image create --source, sig create, image-definition and image-version create, vm create from the version: passed"

# 2. strict mode with declared principals: the declared secret signs in and writes, a wrong one is refused
cat > "$WORK/principals.json" <<JSON
{"servicePrincipals": [{"clientId": "builder", "clientSecret": "builder-Secret-1"}],
 "roleAssignments": [{"principal": "builder", "role": "Contributor", "scope": "/subscriptions/$SUBSCRIPTION"}]}
JSON
start --auth strict --principals "$WORK/principals.json"
az_env
register_cloud
if "$AZ" login --service-principal -u builder -p wrong-secret --tenant "$TENANT" > /dev/null 2> "$WORK/refused.txt"; then
  fail "a wrong secret signed in"
fi
grep -q "AADSTS7000215" "$WORK/refused.txt" || fail "the refusal does not carry Entra's error: $(cat "$WORK/refused.txt")"
"$AZ" login --service-principal -u builder -p builder-Secret-1 --tenant "$TENANT" > /dev/null || fail "az login (strict)"
[ "$("$AZ" group create -n strict-rg -l westeurope --query name -o tsv)" = "strict-rg" ] || fail "az group create (strict)"
[ "$("$AZ" group list --query "[?name=='strict-rg'].name" -o tsv)" = "strict-rg" ] || fail "az group list (strict)"
stop
echo "az-cli: strict sign-in with declared principals: passed"
