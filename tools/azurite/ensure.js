// Installs the Azurite pinned in package.json and package-lock.json into node_modules (npm ci), unless exactly that
// version is already there; the build runs it before the integration tests. Prints one line either way.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { spawnSync } = require('child_process');

const here = __dirname;
const wanted = require(path.join(here, 'package.json')).dependencies.azurite;
const installed = path.join(here, 'node_modules', 'azurite', 'package.json');
// the hash of the package-lock.json node_modules was installed from
const marker = path.join(here, 'node_modules', '.azimuth-installed-from');

function lockHash() {
  return crypto.createHash('sha256').update(fs.readFileSync(path.join(here, 'package-lock.json'))).digest('hex');
}

function installedVersion() {
  try {
    return JSON.parse(fs.readFileSync(installed, 'utf8')).version;
  } catch (e) {
    return null;
  }
}

function upToDate() {
  try {
    return installedVersion() === wanted && fs.readFileSync(marker, 'utf8').trim() === lockHash();
  } catch (e) {
    return false;
  }
}

if (upToDate()) {
  console.log(`[azurite] ${wanted} is installed in ${path.join(here, 'node_modules')}`);
  process.exit(0);
}
console.log(`[azurite] installing ${wanted} with npm ci in ${here}`);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'],
  { cwd: here, stdio: 'inherit', shell: process.platform === 'win32' });
if (result.error) {
  console.error(`[azurite] cannot run npm: ${result.error.message}`);
  process.exit(1);
}
if (result.status !== 0 || installedVersion() !== wanted) {
  console.error(`[azurite] npm ci failed (exit ${result.status})`);
  process.exit(result.status || 1);
}
fs.writeFileSync(marker, lockHash() + '\n');
console.log(`[azurite] ${wanted} installed`);
