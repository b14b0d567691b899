// The `ferry` command line: one subcommand per file under commands/, wired up
// here. This file parses nothing itself and holds no behaviour of its own.

import { Command } from 'commander';
import { schedulerCommand } from './commands/scheduler.js';
import { simCommand } from './commands/sim.js';

const program = new Command('ferry')
  .description('Ferry: stateful services with portable persistent volumes on Mesos')
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: true });

program.addCommand(simCommand());
program.addCommand(schedulerCommand());

await program.parseAsync(process.argv);
