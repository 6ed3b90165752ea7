#!/usr/bin/env bash
# The dashboard in headless Chromium: installs Debian's chromium (apt-get) and playwright-core (npm ci in
# tools/dashboard-test, pinned by its package-lock.json; no browser download) when missing, starts the built jar
# through bin/azimuth, gives it something to show (a group with a VM and its network, a disk imported from a VHD
# uploaded with `azimuth vhd upload`, an image, an operation in flight and a failed one, a fault rule), then runs
# tools/dashboard-test/check.mjs, which checks the page, a resource's JSON, a screenshot and the reset button.
set -euo pipefail
cd "$(dirname "$0")/.."

NAME=dashboard
. .ci/emulator.sh
if [ ! -x /usr/bin/chromium ] || ! command -v curl > /dev/null; then
  apt_install chromium curl fonts-dejavu-core
fi
if [ ! -d tools/dashboard-test/node_modules/playwright-core ]; then
  (cd tools/dashboard-test && npm ci --no-audit --no-fund)
fi
start_emulator
SUB=6f0c2a1e-5d3b-4c7a-9e21-0a2b3c4d5e6f
G="$B/subscriptions/$SUB/resourceGroups/dash-rg"
put() { # put URL BODY: must be answered 2xx
  local status
  status=$(curl -s -o "$WORK/answer" -w '%{http_code}' -X PUT -H "Authorization: Bearer any" \
      -H "Content-Type: application/json" "$1" -d "$2")
  [[ $status == 2* ]] || fail "PUT $1 answered $status: $(cat "$WORK/answer")"
}
put "$G?api-version=2025-04-01" '{"location":"westus"}'
put "$G/providers/Microsoft.Network/virtualNetworks/vnet?api-version=2024-05-01" \
  '{"location":"westus","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]},"subnets":[{"name":"default","properties":{"addressPrefix":"10.0.0.0/24"}}]}}'
put "$G/providers/Microsoft.Network/networkInterfaces/nic1?api-version=2024-05-01" \
  "{\"location\":\"westus\",\"properties\":{\"ipConfigurations\":[{\"name\":\"ip\",\"properties\":{\"subnet\":{\"id\":\"/subscriptions/$SUB/resourceGroups/dash-rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default\"}}}]}}"
put "$G/providers/Microsoft.Compute/virtualMachines/dash-vm?api-version=2024-07-01" \
  "{\"location\":\"westus\",\"properties\":{\"hardwareProfile\":{\"vmSize\":\"Standard_D2s_v3\"},\"storageProfile\":{\"imageReference\":{\"publisher\":\"Canonical\",\"offer\":\"0001-com-ubuntu-server-jammy\",\"sku\":\"22_04-lts\",\"version\":\"latest\"},\"osDisk\":{\"createOption\":\"FromImage\",\"managedDisk\":{\"storageAccountType\":\"Standard_LRS\"}}},\"osProfile\":{\"computerName\":\"dash-vm\",\"adminUsername\":\"azureuser\",\"adminPassword\":\"Dash-b0ard-Passw0rd!\"},\"networkProfile\":{\"networkInterfaces\":[{\"id\":\"/subscriptions/$SUB/resourceGroups/dash-rg/providers/Microsoft.Network/networkInterfaces/nic1\"}]}}}"
bin/azimuth vhd create-fixed 16M "$WORK/base.vhd" > /dev/null
printf 'azimuth dashboard' | dd of="$WORK/base.vhd" conv=notrunc status=none
bin/azimuth vhd upload --quiet "$WORK/base.vhd" "$B/_azimuth/blobs/dashacct/vhds/base.vhd" > /dev/null
put "$G/providers/Microsoft.Compute/disks/dash-disk?api-version=2024-03-02" \
  "{\"location\":\"westus\",\"properties\":{\"osType\":\"Linux\",\"creationData\":{\"createOption\":\"Import\",\"sourceUri\":\"https://dashacct.blob.core.windows.net/vhds/base.vhd\",\"storageAccountId\":\"/subscriptions/$SUB/resourceGroups/dash-rg/providers/Microsoft.Storage/storageAccounts/dashacct\"}}}"
put "$G/providers/Microsoft.Compute/images/dash-image?api-version=2024-07-01" \
  "{\"location\":\"westus\",\"properties\":{\"storageProfile\":{\"osDisk\":{\"osType\":\"Linux\",\"osState\":\"Generalized\",\"managedDisk\":{\"id\":\"/subscriptions/$SUB/resourceGroups/dash-rg/providers/Microsoft.Compute/disks/dash-disk\"}}}}}"
# an operation in flight (for ten minutes) and one that failed
curl -sf -X POST "$B/_azimuth/faults" -d '{"match":{"method":"PUT","name":"dash-slow"},"effect":{"failOperationAfterMs":600000},"times":1}' > /dev/null
curl -sf -X POST "$B/_azimuth/faults" -d '{"match":{"method":"PUT","name":"dash-failed"},"effect":{"failOperationAfterMs":1,"code":"InjectedOnPurpose","message":"Failed for the dashboard."},"times":1}' > /dev/null
curl -sf -X POST "$B/_azimuth/faults" -d '{"match":{"name":"never-such-name"},"effect":{"status":500}}' > /dev/null
for d in dash-slow dash-failed; do
  put "$G/providers/Microsoft.Compute/disks/$d?api-version=2024-03-02" \
    '{"location":"westus","properties":{"creationData":{"createOption":"Empty"},"diskSizeGB":1}}'
done
sleep 0.5
node tools/dashboard-test/check.mjs "$B" "${DASHBOARD_SCREENSHOT:-$WORK/dashboard.png}" dash-image dash-rg dash-vm dash-disk \
  dash-slow nic1 || fail "the browser check"
