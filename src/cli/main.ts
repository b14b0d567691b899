// The `ferry` command line: one subcommand per file under commands/, wired up
// here with the settings every command shares (usage errors exit 2, sorted
// help). `sim` and `scheduler`, which load all of Ferry, load only when asked for.

import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { reportFailure } from './clientCommand.js';
import { agentsCommand } from './commands/agents.js';
import { appsCommand } from './commands/apps.js';
import { datasetsCommand } from './commands/datasets.js';
import { leaderCommand } from './commands/leader.js';
import { localCommand } from './commands/local.js';
import { movesCommand } from './commands/moves.js';
import { EXIT, EXIT_CODES_HELP } from './exitCodes.js';

const program = new Command('ferry')
  .description('Ferry: stateful services with portable persistent volumes on Mesos')
  .showHelpAfterError()
  .addHelpText(
    'after',
    `
The client commands find Ferry's API from --url or FERRY_URL (default http://127.0.0.1:8080)
and send --token or FERRY_TOKEN as a bearer token. Run \`ferry local\` (or \`npm start\`) for a
whole cluster on this machine.
${EXIT_CODES_HELP}`,
  );

const clientCommands = [localCommand(), appsCommand(), datasetsCommand(), movesCommand(), agentsCommand(), leaderCommand()];
for (const command of clientCommands) program.addCommand(command);
// `sim` and `scheduler` load all of Ferry (AWS SDK, ZooKeeper, ...): a client
// command does without them, and answers in a fraction of the time.
const first = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
if (!clientCommands.some((c) => c.name() === first)) {
  const [{ simCommand }, { schedulerCommand }] = await Promise.all([import('./commands/sim.js'), import('./commands/scheduler.js')]);
  program.addCommand(simCommand());
  program.addCommand(schedulerCommand());
}

/** Settings `addCommand` does not pass down: every command, at every depth, gets them. */
function configure(command: Command, root: boolean): void {
  command.exitOverride().configureHelp({ sortSubcommands: true, showGlobalOptions: false });
  if (!root) command.showHelpAfterError('(add --help for usage)');
  for (const sub of command.commands) configure(sub, false);
}
configure(program, true);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError && !(err instanceof InvalidArgumentError)) {
    // a parse error or --help: commander printed its message (or the help) already
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    process.exitCode = reportFailure(err);
  }
}
