#!/usr/bin/env node
// Crops the top of a screenshot for the README:  node crop.mjs FULL.png OUT.png [HEIGHT]
import { readFileSync, writeFileSync } from 'node:fs';
import pngjs from 'pngjs';
const [input, output, height = '2140'] = process.argv.slice(2);
const src = pngjs.PNG.sync.read(readFileSync(input));
const h = Math.min(Number(height), src.height);
const dst = new pngjs.PNG({ width: src.width, height: h, colorType: 2 });
pngjs.PNG.bitblt(src, dst, 0, 0, src.width, h, 0, 0);
writeFileSync(output, pngjs.PNG.sync.write(dst, { colorType: 2 }));
console.log(`${output}: ${src.width} × ${h} px`);
