#!/usr/bin/env node
// The grokking demo's LLC shape (docs/demo-runs.md, docs/llc.md), read from analyses/grok with the JavaScript Arrow
// reader: λ̂ positive and rising up to one peak (its top: the checkpoints within two standard errors of the largest λ̂)
// within one checkpoint of the end of memorisation (the first checkpoint with train accuracy > 0.95), then falling while the test accuracy climbs to 0.9, and never rising again by more than two standard errors.
//   node grok-llc-shape.mjs ANALYSIS_FOLDER
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';

const folder = process.argv[2];
const read = (name) => [...tableFromIPC(readFileSync(join(folder, name + '.arrow')))];
const llc = read('llc').map((r) => ({ step: Number(r.step), mean: r.mean, reading: r.reading, se: r.std / Math.sqrt(Number(r.chains) - Number(r.dropped_chains)) })).sort((a, b) => a.step - b.step);
const metrics = new Map(read('checkpoints').map((r) => [Number(r.step), r]));
const metric = (step, name) => metrics.get(step)?.['metric_' + name] ?? metrics.get(step)?.[name];
const mean = llc.map((r) => r.mean);
const peak = mean.indexOf(Math.max(...mean));
// The top of the peak: the checkpoints whose λ̂ is within two standard errors of the largest. Which of them holds the
// largest value is decided by Monte Carlo noise, so the peak's place is the top's, and the curve must rise up to the
// top and fall after it.
const top = llc.map((r, i) => i).filter((i) => mean[peak] - mean[i] <= 2 * (llc[i].se + llc[peak].se));
const [first, last] = [Math.min(...top), Math.max(...top)];
const memorised = llc.findIndex((r) => metric(r.step, 'train_accuracy') > 0.95);
const generalised = llc.findIndex((r) => metric(r.step, 'test_accuracy') > 0.9);
const problems = [];
if (!top.some((i) => Math.abs(i - memorised) <= 1)) problems.push(`peak at steps ${top.map((i) => llc[i].step).join(', ')}, end of memorisation at ${llc[memorised]?.step}`);
for (let i = 1; i <= first; i++) if (!(mean[i] > 0 && mean[i] > mean[i - 1])) problems.push(`not rising at step ${llc[i].step}: ${mean[i - 1]} → ${mean[i]}`);
for (let i = last + 1; i <= generalised; i++) if (!(mean[i] < mean[i - 1])) problems.push(`not falling at step ${llc[i].step}: ${mean[i - 1]} → ${mean[i]}`);
for (let i = last + 1; i < mean.length; i++) if (mean[i] >= mean[i - 1] + 2 * (llc[i].se + llc[i - 1].se)) problems.push(`rising again after the peak at step ${llc[i].step}`);
const readings = {};
for (const r of llc) readings[r.reading || 'none'] = (readings[r.reading || 'none'] ?? 0) + 1;
console.log(`   grok LLC: ${llc.length} checkpoints, peak λ̂ ${mean[peak].toPrecision(4)} at step ${llc[peak].step}, top within 2 s.e. at steps ${top.map((i) => llc[i].step).join(', ')} (memorised at ${llc[memorised]?.step}, test accuracy > 0.9 at ${llc[generalised]?.step}); readings ${JSON.stringify(readings)}`);
if (problems.length) { console.log(problems.slice(0, 10).join('\n')); process.exit(1); }
