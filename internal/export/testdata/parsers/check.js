// Parses the queries cloudwall export writes with real parsers of their
// languages and prints what each parser reports, as JSON.
// Input (stdin): [{"name": "...", "lang": "kql|athena|bigquery", "text": "..."}]
// Output (stdout): [{"name": "...", "errors": ["..."]}]
'use strict';
const fs = require('fs');
const path = require('path');

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
let kusto;

function kustoGlobals() {
  if (kusto) return kusto;
  require('@kusto/language-service-next/bridge.min.js');
  require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
  const K = globalThis.Kusto.Language;
  const schemas = JSON.parse(fs.readFileSync(path.join(__dirname, 'sentinel-tables.json'), 'utf8'));
  const tables = Object.keys(schemas).filter((k) => !k.startsWith('_'))
    .map((name) => new K.Symbols.TableSymbol.$ctor7(name, schemas[name], null));
  const db = new K.Symbols.DatabaseSymbol.$ctor2('sentinel', null, tables);
  kusto = { K, globals: K.GlobalState.Default.WithDatabase(db) };
  return kusto;
}

function checkKQL(text) {
  const { K, globals } = kustoGlobals();
  const code = K.KustoCode.ParseAndAnalyze(text, globals);
  const diags = code.GetDiagnostics();
  const out = [];
  for (let i = 0; i < diags.Count; i++) {
    const d = diags.getItem(i);
    out.push(`${d.Severity} at ${d.Start}: ${d.Message}`);
  }
  return out;
}

function checkSQL(text, database) {
  const { Parser } = require('node-sql-parser');
  try {
    new Parser().astify(text, { database });
    return [];
  } catch (e) {
    return [String(e.message || e)];
  }
}

const results = input.map(({ name, lang, text }) => {
  switch (lang) {
    case 'kql': return { name, errors: checkKQL(text) };
    case 'athena': return { name, errors: checkSQL(text, 'athena') };
    case 'trino': return { name, errors: checkSQL(text, 'trino') };
    case 'bigquery': return { name, errors: checkSQL(text, 'bigquery') };
    default: return { name, errors: [`no parser for ${lang}`] };
  }
});
process.stdout.write(JSON.stringify(results));
