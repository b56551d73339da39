// Opens a DevInterp HTML report in headless Chromium and checks it as a reader would see it:
//   - no console errors, no uncaught exceptions;
//   - no network request other than the report file itself (every other request is recorded and aborted);
//   - every Plotly chart finished drawing (div.chart[data-rendered="true"], a .main-svg inside);
//   - the pixels: a full-page screenshot is taken with the charts drawn, then every chart's traces are made
//     transparent (axes, grid, shapes, titles and legend stay; the axis ranges do not move) and a second screenshot
//     is taken. Inside each chart's plot area, the pixels that differ between the two are the data plotly.js drew:
//     there must be enough of them, in more than one colour, and the chart box must not be blank.
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
const MIN_NON_WHITE = 0.02;   // share of the chart box that differs from white (plot background, axes, text)
const MIN_COLOURS = 4;        // distinct colours (4 bits per channel) covering at least 20 pixels each in the chart box
const MIN_DATA_PIXELS = 300;  // plot-area pixels that change when the traces are hidden
const MIN_DATA_SHARE = 0.002; // the same as a share of the plot area
const MIN_DATA_COLOURS = 2;   // distinct colours among those pixels (at least 10 pixels each)
const WHITE_TOLERANCE = 12;   // a channel within this of 255 counts as white
const DATA_TOLERANCE = 30;    // summed channel difference between the two screenshots that counts as drawn data

const clip = (png, box) => ({
  x0: Math.max(0, Math.floor(box.x)), y0: Math.max(0, Math.floor(box.y)),
  x1: Math.min(png.width, Math.ceil(box.x + box.width)), y1: Math.min(png.height, Math.ceil(box.y + box.height)),
});
const bucket = (r, g, b) => ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);

// What the chart box looks like with the data drawn: not blank, several colours.
function boxStats(png, box) {
  const { x0, y0, x1, y1 } = clip(png, box);
  const total = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  let nonWhite = 0;
  const buckets = new Map();
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * png.width + x) * 4;
      const r = png.data[i], g = png.data[i + 1], b = png.data[i + 2];
      if (255 - r > WHITE_TOLERANCE || 255 - g > WHITE_TOLERANCE || 255 - b > WHITE_TOLERANCE) nonWhite++;
      const key = bucket(r, g, b);
      buckets.set(key, (buckets.get(key) || 0) + 1);
    }
  }
  return {
    pixels: total,
    nonWhiteFraction: total ? round(nonWhite / total) : 0,
    distinctColours: [...buckets.values()].filter(c => c >= 20).length,
  };
}

// The data: plot-area pixels that differ between the drawn and the traces-hidden screenshots.
function dataStats(drawn, hidden, area) {
  const { x0, y0, x1, y1 } = clip(drawn, area);
  const total = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  let changed = 0;
  const buckets = new Map();
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * drawn.width + x) * 4;
      const d = Math.abs(drawn.data[i] - hidden.data[i]) + Math.abs(drawn.data[i + 1] - hidden.data[i + 1]) + Math.abs(drawn.data[i + 2] - hidden.data[i + 2]);
      if (d <= DATA_TOLERANCE) continue;
      changed++;
      const key = bucket(drawn.data[i], drawn.data[i + 1], drawn.data[i + 2]);
      buckets.set(key, (buckets.get(key) || 0) + 1);
    }
  }
  return {
    plotAreaPixels: total,
    dataPixels: changed,
    dataFraction: total ? round(changed / total) : 0,
    dataColours: [...buckets.values()].filter(c => c >= 10).length,
  };
}

function round(v) { return Math.round(v * 10000) / 10000; }

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

  // Each chart's box and its plot area (plotly's _fullLayout._size: margins inside the div), in page coordinates.
  const boxes = await page.evaluate(() => [...document.querySelectorAll('div.chart')].map(d => {
    const r = d.getBoundingClientRect();
    const size = d._fullLayout && d._fullLayout._size;
    const x = r.left + window.scrollX, y = r.top + window.scrollY;
    return {
      id: d.id, kind: d.dataset.kind, rendered: d.getAttribute('data-rendered'),
      svg: d.querySelectorAll('svg.main-svg').length, traces: (d.data || []).length,
      x, y, width: r.width, height: r.height,
      area: size ? { x: x + size.l, y: y + size.t, width: size.w, height: size.h } : null,
    };
  }));
  // Where each section sits on the page (for cropping screenshots of the top of a report).
  result.sections = await page.evaluate(() => [...document.querySelectorAll('section')].map(s => {
    const r = s.getBoundingClientRect();
    return { id: s.id, y: Math.round(r.top + window.scrollY), height: Math.round(r.height) };
  }));
  const shot = () => page.screenshot({ fullPage: true, type: 'png', animations: 'disabled' });
  const buffer = await shot();
  if (screenshotPath) {
    fs.writeFileSync(screenshotPath, buffer);
    result.screenshot = path.resolve(screenshotPath);
  }
  // The same page with every trace transparent: opacity keeps the autoranged axes where they were.
  await page.evaluate(() => Promise.all([...document.querySelectorAll('div.chart')]
    .filter(d => d.data && d.data.length > 0).map(d => Plotly.restyle(d, { opacity: 0 }))));
  await page.evaluate(() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const hiddenBuffer = await shot();
  const png = PNG.sync.read(buffer);
  const hidden = PNG.sync.read(hiddenBuffer);
  result.page = { width: png.width, height: png.height };
  if (hidden.width !== png.width || hidden.height !== png.height)
    result.failures.push(`the page changed size when the traces were hidden (${png.width}×${png.height} → ${hidden.width}×${hidden.height})`);
  for (const box of boxes) {
    const stats = boxStats(png, box);
    const data = box.area && hidden.width === png.width && hidden.height === png.height
      ? dataStats(png, hidden, box.area) : { plotAreaPixels: 0, dataPixels: 0, dataFraction: 0, dataColours: 0 };
    const problems = [];
    if (box.rendered !== 'true') problems.push(`not drawn (data-rendered=${box.rendered})`);
    if (box.svg === 0) problems.push('no plotly svg');
    if (!box.area) problems.push('no plot area (plotly did not lay the chart out)');
    if (box.width < 100 || box.height < 100) problems.push(`box only ${Math.round(box.width)}×${Math.round(box.height)} px`);
    if (stats.nonWhiteFraction < MIN_NON_WHITE) problems.push(`only ${stats.nonWhiteFraction} of the box differs from white (need ${MIN_NON_WHITE})`);
    if (stats.distinctColours < MIN_COLOURS) problems.push(`only ${stats.distinctColours} distinct colours in the box (need ${MIN_COLOURS})`);
    if (data.dataPixels < MIN_DATA_PIXELS || data.dataFraction < MIN_DATA_SHARE)
      problems.push(`only ${data.dataPixels} plot-area pixels (${data.dataFraction}) are data (need ${MIN_DATA_PIXELS} and ${MIN_DATA_SHARE})`);
    if (data.dataColours < MIN_DATA_COLOURS) problems.push(`the data has ${data.dataColours} colour(s) (need ${MIN_DATA_COLOURS})`);
    result.charts.push({
      id: box.id, kind: box.kind, traces: box.traces,
      box: { x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) },
      ...stats, ...data, ok: problems.length === 0, problems,
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
