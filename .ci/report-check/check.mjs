// Opens a DevInterp HTML report in headless Chromium and checks it as a reader would see it:
//   - no console errors, no uncaught exceptions;
//   - no network request other than the report file itself (every other request is recorded and aborted);
//   - every Plotly chart finished drawing (div.chart[data-rendered="true"], a .main-svg inside);
//   - the pixels: a full-page screenshot is cropped to each chart's box and must show real drawing, not a blank or
//     background-only frame (enough pixels away from white, enough "ink" away from the dominant background colour,
//     several distinct colours).
// Usage: node check.mjs REPORT.html [--screenshot OUT.png] [--chromium /usr/bin/chromium]
// Prints one JSON object; exit 0 when every check passes, 1 when one fails, 2 when the browser cannot run.
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const screenshotPath = option('--screenshot', null);
const executablePath = option('--chromium', process.env.CHROMIUM_PATH || '/usr/bin/chromium');
if (args.length !== 1) {
  console.error('usage: node check.mjs REPORT.html [--screenshot OUT.png] [--chromium /usr/bin/chromium]');
  process.exit(2);
}
const reportPath = path.resolve(args[0]);
if (!fs.existsSync(reportPath)) {
  console.error(`report-check: ${reportPath}: no such file`);
  process.exit(2);
}
const reportUrl = pathToFileURL(reportPath).href;

// Thresholds of the pixel check (documented in docs/report.md).
const MIN_NON_WHITE = 0.02;   // share of the chart box that differs from white
const MIN_INK = 0.004;        // share that differs from white and from the box's dominant colour (the plot background)
const MIN_COLOURS = 4;        // distinct colours (4 bits per channel) covering at least 20 pixels each
const WHITE_TOLERANCE = 12;   // a channel within this of 255 counts as white
const INK_TOLERANCE = 24;     // summed channel distance from the dominant colour that counts as ink

function pixelStats(png, box) {
  const x0 = Math.max(0, Math.floor(box.x)), y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(png.width, Math.ceil(box.x + box.width)), y1 = Math.min(png.height, Math.ceil(box.y + box.height));
  const total = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  let nonWhite = 0;
  const buckets = new Map();
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * png.width + x) * 4;
      const r = png.data[i], g = png.data[i + 1], b = png.data[i + 2];
      if (255 - r > WHITE_TOLERANCE || 255 - g > WHITE_TOLERANCE || 255 - b > WHITE_TOLERANCE) nonWhite++;
      const key = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
      buckets.set(key, (buckets.get(key) || 0) + 1);
    }
  }
  // The dominant non-white colour is the plot background; ink is what is neither white nor that background.
  let dominant = null, dominantCount = 0;
  for (const [key, count] of buckets) {
    const r = ((key >> 8) & 15) * 16 + 8, g = ((key >> 4) & 15) * 16 + 8, b = (key & 15) * 16 + 8;
    const white = 255 - r <= WHITE_TOLERANCE + 8 && 255 - g <= WHITE_TOLERANCE + 8 && 255 - b <= WHITE_TOLERANCE + 8;
    if (!white && count > dominantCount) { dominant = [r, g, b]; dominantCount = count; }
  }
  let ink = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * png.width + x) * 4;
      const r = png.data[i], g = png.data[i + 1], b = png.data[i + 2];
      const isWhite = 255 - r <= WHITE_TOLERANCE && 255 - g <= WHITE_TOLERANCE && 255 - b <= WHITE_TOLERANCE;
      if (isWhite) continue;
      if (dominant && Math.abs(r - dominant[0]) + Math.abs(g - dominant[1]) + Math.abs(b - dominant[2]) <= INK_TOLERANCE) continue;
      ink++;
    }
  }
  const colours = [...buckets.values()].filter(c => c >= 20).length;
  const round = v => Math.round(v * 10000) / 10000;
  return {
    pixels: total,
    nonWhiteFraction: total ? round(nonWhite / total) : 0,
    inkFraction: total ? round(ink / total) : 0,
    distinctColours: colours,
    background: dominant ? `rgb(${dominant.join(',')})` : null,
  };
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-check-profile-'));
const result = { report: reportPath, chromium: executablePath, charts: [], consoleErrors: [], requests: [], screenshot: null, ok: false, failures: [] };
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-default-apps', '--disable-extensions'],
  });
} catch (e) {
  console.error(`report-check: cannot start ${executablePath}: ${e.message.split('\n')[0]}`);
  fs.rmSync(userDataDir, { recursive: true, force: true });
  process.exit(2);
}
try {
  // Record every request; only the report itself may load, anything else is aborted and fails the check.
  await context.route('**/*', route => {
    const url = route.request().url();
    if (url === reportUrl) return route.continue();
    return route.abort('blockedbyclient');
  });
  context.on('request', request => {
    const url = request.url();
    if (url !== reportUrl) result.requests.push(url);
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', message => { if (message.type() === 'error') result.consoleErrors.push(message.text()); });
  page.on('pageerror', error => result.consoleErrors.push(`uncaught: ${error.message}`));

  await page.goto(reportUrl, { waitUntil: 'load', timeout: 60_000 });
  const chartCount = await page.locator('div.chart').count();
  try {
    await page.waitForFunction(
      () => [...document.querySelectorAll('div.chart')].every(d => d.hasAttribute('data-rendered')),
      null, { timeout: 90_000 });
  } catch {
    result.failures.push('timed out after 90 s waiting for every chart to finish drawing');
  }
  // Two animation frames: plotly has drawn, the compositor has painted.
  await page.evaluate(() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve))));

  const boxes = await page.evaluate(() => [...document.querySelectorAll('div.chart')].map(d => {
    const r = d.getBoundingClientRect();
    return {
      id: d.id, kind: d.dataset.kind, rendered: d.getAttribute('data-rendered'),
      svg: d.querySelectorAll('svg.main-svg').length, traces: (d.data || []).length,
      x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height,
    };
  }));
  const buffer = await page.screenshot({ fullPage: true, type: 'png' });
  if (screenshotPath) {
    fs.writeFileSync(screenshotPath, buffer);
    result.screenshot = path.resolve(screenshotPath);
  }
  const png = PNG.sync.read(buffer);
  result.page = { width: png.width, height: png.height };
  for (const box of boxes) {
    const stats = pixelStats(png, box);
    const problems = [];
    if (box.rendered !== 'true') problems.push(`not drawn (data-rendered=${box.rendered})`);
    if (box.svg === 0) problems.push('no plotly svg');
    if (box.width < 100 || box.height < 100) problems.push(`box only ${Math.round(box.width)}×${Math.round(box.height)} px`);
    if (stats.nonWhiteFraction < MIN_NON_WHITE) problems.push(`only ${stats.nonWhiteFraction} of the box differs from white (need ${MIN_NON_WHITE})`);
    if (stats.inkFraction < MIN_INK) problems.push(`only ${stats.inkFraction} of the box is ink beyond the background (need ${MIN_INK})`);
    if (stats.distinctColours < MIN_COLOURS) problems.push(`only ${stats.distinctColours} distinct colours (need ${MIN_COLOURS})`);
    result.charts.push({
      id: box.id, kind: box.kind, traces: box.traces,
      box: { x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) },
      ...stats, ok: problems.length === 0, problems,
    });
    for (const p of problems) result.failures.push(`${box.id} (${box.kind}): ${p}`);
  }
  if (chartCount === 0) result.failures.push('the page has no chart');
  for (const e of result.consoleErrors) result.failures.push(`console error: ${e}`);
  for (const r of result.requests) result.failures.push(`network request: ${r}`);
  result.ok = result.failures.length === 0;
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
console.log(JSON.stringify(result, null, 2));
process.exit(result.ok ? 0 : 1);
