// The dashboard in headless Chromium (Debian's, driven by playwright-core): the main page shows the resource groups
// and their resources with their states, a VM's power and OS state, an operation in flight, a recent failure with its
// code, the blob store's usage and the fault rules; the JSON of the first name's resource on a click; a screenshot of the main page,
// checked to be a picture of it; the reset button, confirmed, empties the state.
//   node check.mjs BASE_URL SCREENSHOT.png EXPECTED_NAMES...
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";

const [base, shot, ...names] = process.argv.slice(2);
const fail = (what) => { console.error("dashboard: FAILED: " + what); process.exit(1); };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const outside = [];
  page.on("request", r => { if (!r.url().startsWith(base)) outside.push(r.url()); });
  const errors = [];
  page.on("pageerror", e => errors.push(String(e)));
  await page.goto(base + "/_azimuth/", { waitUntil: "load" });
  await page.waitForSelector("body[data-loaded=true]", { timeout: 15000 });
  await page.waitForFunction(() => [...document.querySelectorAll("tr.resource td:nth-child(4)")]
    .some(td => /running|deallocated|stopped/.test(td.textContent)), null, { timeout: 15000 });
  const text = await page.textContent("main");
  for (const name of names) if (!text.includes(name)) fail("the page does not show " + name);
  if (!/running/.test(await page.textContent("#groups"))) fail("no VM power state shown");
  if (!(await page.textContent("#operations")).includes("provision")) fail("no operation in flight shown");
  if (!(await page.textContent("#failures")).includes("InjectedOnPurpose")) fail("no recent failure with its code");
  if (!(await page.textContent("#faults")).includes("never-such-name")) fail("the fault rules are not listed");
  if (!/blobs\s*[1-9].*stored\s*[0-9.]+ (B|KiB|MiB|GiB)/s.test(await page.textContent("#health"))) fail("no blob store usage");

  // a resource's JSON, as ARM answers it
  const row = page.locator("tr.resource", { hasText: names[0] }).first();
  const id = await row.getAttribute("data-id");
  await row.click();
  await page.waitForFunction(() => document.getElementById("json").textContent.startsWith("200"), null, { timeout: 10000 });
  const json = JSON.parse((await page.textContent("#json")).replace(/^200\n/, ""));
  if (json.id.toLowerCase() !== id.toLowerCase()) fail("the JSON shown is not the resource's: " + json.id);

  // the screenshot: a PNG of the whole window, with the page's colours in it (not a blank or error page)
  await page.screenshot({ path: shot });
  const png = readFileSync(shot);
  if (png.readUInt32BE(0) !== 0x89504e47) fail("the screenshot is not a PNG");
  const width = png.readUInt32BE(16), height = png.readUInt32BE(20);
  if (width !== 1400 || height !== 1000) fail("the screenshot is " + width + "x" + height);
  if (png.length < 20000) fail("the screenshot is nearly empty (" + png.length + " bytes)");
  const header = await page.evaluate(() => getComputedStyle(document.querySelector("header")).backgroundColor);
  if (header !== "rgb(18, 52, 86)") fail("the page's style did not apply: " + header);

  // reset, confirmed in the dialog
  page.once("dialog", d => d.accept());
  await page.click("#reset");
  await page.waitForFunction(() => document.getElementById("groups").textContent.includes("No resource groups"),
    null, { timeout: 10000 });
  if (errors.length) fail("script errors: " + errors.join("; "));
  if (outside.length) fail("requests outside the emulator: " + outside.join(", "));
  console.log("dashboard: ok (" + names.length + " names, JSON of " + id.split("/").pop() + ", screenshot "
    + width + "x" + height + " " + png.length + " bytes, reset)");
} finally {
  await browser.close();
}
