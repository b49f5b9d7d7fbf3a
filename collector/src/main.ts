#!/usr/bin/env node
// Entry point of `vitals-collector`; the commands live in cli/program.ts.
import { main } from './cli/program.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
