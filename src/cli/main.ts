#!/usr/bin/env node
// teeinit's executable entry point. Exits explicitly once the command is done, so an idle
// keep-alive socket of an HTTP client cannot hold a finished container open.
import './keep-inspector-closed.js';
import { main } from './run-cli.js';

process.exit(await main(process.argv.slice(2)));
