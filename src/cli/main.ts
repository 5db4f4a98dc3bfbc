#!/usr/bin/env node
// teeinit's executable entry point.
import { main } from './run-cli.js';

process.exitCode = await main(process.argv.slice(2));
