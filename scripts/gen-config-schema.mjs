#!/usr/bin/env node
// Writes schema/teeinit.schema.json from the compiled zod schema (run `npx tsc -p .` first).
// A test (src/config/json-schema.test.ts) keeps the committed file equal to this output.
import { mkdirSync, writeFileSync } from 'node:fs';

const { configJsonSchemaText } = await import('../dist/src/config/json-schema.js');
const target = new URL('../schema/teeinit.schema.json', import.meta.url);
mkdirSync(new URL('.', target), { recursive: true });
writeFileSync(target, configJsonSchemaText());
console.log('wrote schema/teeinit.schema.json');
