#!/usr/bin/env node
// Writes schema/teeinit.schema.json from the compiled zod schema (run `npx tsc -p .` first),
// formatted with prettier. src/config/json-schema.test.ts keeps the committed file equal
// (as JSON) to what the schema generates.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format } from 'prettier';

const { configJsonSchemaText } = await import('../dist/src/config/json-schema.js');
const target = new URL('../schema/teeinit.schema.json', import.meta.url);
mkdirSync(new URL('.', target), { recursive: true });
const text = await format(configJsonSchemaText(), { filepath: fileURLToPath(target) });
writeFileSync(target, text);
console.log('wrote schema/teeinit.schema.json');
