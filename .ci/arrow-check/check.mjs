#!/usr/bin/env node
// Independent check of a DevInterp analysis folder with the JavaScript Arrow implementation (apache-arrow on npm).
//
//   node check.mjs ANALYSIS_FOLDER             prints every table (schema and rows) as JSON lines
//   node check.mjs ANALYSIS_FOLDER DUMP.json   compares every table with the C# side's JSON dump
//                                              (DevInterp.Storage.AnalysisStoreDump); exit 1 on any difference
//
// Reads every ANALYSIS_FOLDER/*.arrow table and every parts/TABLE/*.arrow part, requires the Arrow IPC *file* format
// (magic "ARROW1" at both ends, readable by pandas.read_feather / polars.read_ipc), no dictionary encoding, and only the
// types the store defines: int64, float64, utf8, bool, list<float64>.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import { RecordBatchReader, Table, DataType, Precision } from 'apache-arrow';

const MAGIC = 'ARROW1';
const problems = [];
const fail = (msg) => { problems.push(msg); };

function typeName(type) {
  if (DataType.isDictionary(type)) return `dictionary<${type}>`;
  if (DataType.isInt(type) && type.bitWidth === 64 && type.isSigned) return 'int64';
  if (DataType.isFloat(type) && type.precision === Precision.DOUBLE) return 'float64';
  if (DataType.isUtf8(type)) return 'utf8';
  if (DataType.isBool(type)) return 'bool';
  if (DataType.isList(type)) return `list<${typeName(type.children[0].type)}>`;
  return `unsupported:${type}`;
}
const SUPPORTED = new Set(['int64', 'float64', 'utf8', 'bool', 'list<float64>']);

function normDouble(v) {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

function normValue(v, type) {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'int64': return String(v);             // bigint: exact
    case 'float64': return normDouble(v);
    case 'utf8': case 'bool': return v;
    case 'list<float64>': return Array.from(v.toArray(), normDouble);
    default: throw new Error(`unsupported type ${type}`);
  }
}

function same(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  return Object.is(a, b); // exact: distinguishes -0 from 0, NaN arrives as the string 'NaN'
}

function readArrowFile(path) {
  const bytes = readFileSync(path);
  const head = bytes.subarray(0, 6).toString('latin1');
  const tail = bytes.subarray(bytes.length - 6).toString('latin1');
  if (head !== MAGIC || tail !== MAGIC) throw new Error(`${path}: not an Arrow IPC file (magic ${JSON.stringify(head)}…${JSON.stringify(tail)})`);
  const reader = RecordBatchReader.from(bytes);
  reader.open();
  if (!reader.isFile()) throw new Error(`${path}: read as a stream, not as an IPC file`);
  const schema = reader.schema; // read before iterating: the reader lets go of it when done
  const batches = [...reader];
  const table = new Table(schema, batches);
  const columns = schema.fields.map((f, i) => ({ name: f.name, type: typeName(f.type), nullable: f.nullable, vector: table.getChildAt(i) }));
  for (const c of columns) if (!SUPPORTED.has(c.type)) throw new Error(`${path}: column '${c.name}' has type ${c.type}, not one of ${[...SUPPORTED].join(', ')}`);
  return { table, columns, metadata: schema.metadata, rows: table.numRows };
}

function columnValues(c, rows) {
  const out = new Array(rows);
  for (let i = 0; i < rows; i++) out[i] = normValue(c.vector.get(i), c.type);
  return out;
}

const [folder, dumpPath] = process.argv.slice(2);
if (!folder) {
  console.error('usage: node check.mjs ANALYSIS_FOLDER [DUMP.json]');
  process.exit(2);
}
if (!existsSync(folder)) {
  console.error(`arrow-check: ${folder}: no such folder`);
  process.exit(2);
}

const tables = new Map();
for (const name of readdirSync(folder).filter((n) => n.endsWith('.arrow') && !n.startsWith('.')).sort()) {
  const table = basename(name, '.arrow');
  try {
    const t = readArrowFile(join(folder, name));
    const tag = t.metadata.get('devinterp.table');
    if (tag !== table) fail(`${name}: schema metadata devinterp.table is ${JSON.stringify(tag)}, expected ${JSON.stringify(table)}`);
    tables.set(table, t);
  } catch (e) { fail(e.message); }
}

let partFiles = 0;
const partsDir = join(folder, 'parts');
if (existsSync(partsDir)) {
  for (const table of readdirSync(partsDir).sort()) {
    for (const name of readdirSync(join(partsDir, table)).filter((n) => n.endsWith('.arrow') && !n.startsWith('.')).sort()) {
      try {
        const p = readArrowFile(join(partsDir, table, name));
        const tag = p.metadata.get('devinterp.table');
        if (tag !== table) fail(`parts/${table}/${name}: devinterp.table is ${JSON.stringify(tag)}`);
        const whole = tables.get(table);
        if (whole) {
          for (const c of p.columns) {
            const w = whole.columns.find((x) => x.name === c.name);
            if (!w || w.type !== c.type) fail(`parts/${table}/${name}: column '${c.name}' (${c.type}) is not in ${table}.arrow with that type`);
          }
        }
        partFiles++;
      } catch (e) { fail(e.message); }
    }
  }
}

if (!dumpPath) {
  for (const [name, t] of tables) {
    console.log(JSON.stringify({ table: name, rows: t.rows, columns: t.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })) }));
    const values = t.columns.map((c) => columnValues(c, t.rows));
    for (let r = 0; r < t.rows; r++) console.log(JSON.stringify(Object.fromEntries(t.columns.map((c, j) => [c.name, values[j][r]]))));
  }
} else {
  const dump = JSON.parse(readFileSync(dumpPath, 'utf8'));
  if (dump.format !== 'devinterp-analysis-dump' || dump.version !== 1) fail(`${dumpPath}: not a devinterp-analysis-dump version 1`);
  const expected = dump.tables ?? {};
  for (const name of Object.keys(expected)) if (!tables.has(name)) fail(`table ${name}: in the dump but ${name}.arrow is missing or unreadable`);
  let cells = 0;
  for (const [name, t] of tables) {
    const e = expected[name];
    if (!e) { fail(`table ${name}: ${name}.arrow is not in the dump`); continue; }
    if (e.rows !== t.rows) fail(`table ${name}: ${t.rows} rows, dump has ${e.rows}`);
    const names = t.columns.map((c) => c.name).join(',');
    const dumpNames = e.columns.map((c) => c.name).join(',');
    if (names !== dumpNames) { fail(`table ${name}: columns [${names}], dump has [${dumpNames}]`); continue; }
    let bad = 0;
    t.columns.forEach((c, j) => {
      const ec = e.columns[j];
      if (c.type !== ec.type) fail(`table ${name}, column ${c.name}: type ${c.type}, dump has ${ec.type}`);
      if (c.nullable !== ec.nullable) fail(`table ${name}, column ${c.name}: nullable ${c.nullable}, dump has ${ec.nullable}`);
      const values = columnValues(c, t.rows);
      for (let r = 0; r < Math.min(t.rows, ec.values.length); r++) {
        cells++;
        if (!same(values[r], ec.values[r])) {
          bad++;
          if (bad <= 5) fail(`table ${name}, column ${c.name}, row ${r}: arrow-js read ${JSON.stringify(values[r])}, dump has ${JSON.stringify(ec.values[r])}`);
        }
      }
    });
    console.log(`arrow-check: ${name}: ${t.rows} rows × ${t.columns.length} columns${bad ? `, ${bad} cells differ` : ', all cells equal'}`);
  }
  console.log(`arrow-check: ${tables.size} tables, ${cells} cells compared, ${partFiles} part files read`);
}

if (problems.length > 0) {
  for (const p of problems) console.error(`arrow-check: ${p}`);
  console.error(`arrow-check: FAILED (${problems.length} problems)`);
  process.exit(1);
}
if (!dumpPath) console.error(`arrow-check: ${tables.size} tables, ${partFiles} part files read`);
