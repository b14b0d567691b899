// `ferry local`: a whole Ferry on this machine with the kv example deployed and
// a walkthrough printed; Ctrl-C or SIGTERM stops it all, leaving no process
// behind. Flags, signals and printing only; the cluster is ../localCluster.ts.

import { Command, InvalidArgumentError, Option } from 'commander';
import { reportFailure } from '../clientCommand.js';
import { EXIT } from '../exitCodes.js';
import { deployKvExample, exampleRunning, exportExamplesDir, type ExampleStatus } from '../localExample.js';
import type { LocalCluster } from '../localCluster.js';
import { localGuide } from '../localGuide.js';

const EXAMPLE_START_TIMEOUT_MS = 30_000;

const LOCAL_EXIT_CODES_HELP = `
Exit codes:
  0  stopped cleanly (Ctrl-C or SIGTERM)
  1  could not start or run (a port in use, the work directory used by another ferry local, ...)
  2  usage error: bad flags, or a --work-dir holding files ferry local did not create`;

interface LocalFlags {
  workDir: string;
  apiPort: number;
  simPort: number;
  agents: number;
  example: boolean;
  logLevel: string;
}

function port(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) > 65535) throw new InvalidArgumentError(`${flag} takes a port number from 0 to 65535, not "${value}"`);
    return Number(value);
  };
}

function agentCount(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError(`--agents takes a whole number of 1 or more, not "${value}"`);
  return Number(value);
}

export function localCommand(): Command {
  return new Command('local')
    .description('run Ferry locally: a simulated Mesos cluster, a scheduler, the API and UI, and an example app')
    .option('--work-dir <dir>', 'where the agents keep datasets and Ferry its state (cleared at each start)', '.ferry/local')
    .option('--api-port <port>', 'port of the API and UI on 127.0.0.1', port('--api-port'), 8080)
    .option('--sim-port <port>', 'port of the simulated Mesos master on 127.0.0.1', port('--sim-port'), 5050)
    .option('--agents <n>', 'number of simulated agents', agentCount, 3)
    .option('--no-example', 'do not deploy the example app (marathon/examples/kv.json)')
    .addOption(new Option('--log-level <level>', 'log level of the scheduler and simulator (logs go to stderr)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('warn'))
    .addHelpText('after', LOCAL_EXIT_CODES_HELP)
    .action(async (flags: LocalFlags) => {
      process.exitCode = await runLocal(flags);
    });
}

async function runLocal(flags: LocalFlags): Promise<number> {
  // A signal during start-up is honoured once the cluster is up (and then stopped at once).
  let stopSignal: NodeJS.Signals | undefined;
  const stopping = new AbortController();
  const stopRequested = new Promise<void>((resolve) => stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      process.stderr.write('ferry local: stopping without waiting; task processes may be left running (the next ferry local ends them)\n');
      process.exit(130);
    }
    stopSignal = signal;
    stopping.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  exportExamplesDir();
  let cluster: LocalCluster;
  try {
    // loaded here: the scheduler and simulator are all of Ferry, and `ferry local --help` needs none of it
    const { startLocalCluster } = await import('../localCluster.js');
    cluster = await startLocalCluster({ workDir: flags.workDir, apiPort: flags.apiPort, simPort: flags.simPort, agents: flags.agents, logLevel: flags.logLevel });
  } catch (err) {
    return reportFailure(err);
  }
  let status = EXIT.ok as number;
  try {
    if (cluster.workDir.cleared) process.stdout.write(`Cleared the previous local cluster in ${cluster.workDir.dir} (a simulated cluster does not outlive its process).\n`);
    if (cluster.workDir.leftoverProcesses > 0) process.stdout.write(`Ended ${cluster.workDir.leftoverProcesses} task process(es) an earlier run left behind.\n`);
    let example: ExampleStatus | undefined;
    if (flags.example && !stopping.signal.aborted) {
      const deployed = await deployKvExample(cluster.client);
      process.stdout.write(`Deployed the example app ${deployed.id}; waiting for it to run...\n`);
      example = await exampleRunning(cluster.client, deployed, EXAMPLE_START_TIMEOUT_MS, stopping.signal);
    }
    if (!stopping.signal.aborted) {
      process.stdout.write(localGuide({ apiUrl: cluster.apiUrl, simUrl: cluster.simUrl, workDir: cluster.workDir.dir, agentIds: cluster.agentIds, ...(example !== undefined ? { example } : {}) }));
    }
    await stopRequested;
  } catch (err) {
    status = reportFailure(err);
  }
  process.stdout.write(`\nStopping (${stopSignal ?? 'error'}): the scheduler, then the simulator and every task it started...\n`);
  try {
    await cluster.stop();
  } catch (err) {
    return reportFailure(err);
  }
  process.stdout.write('Stopped.\n');
  return status;
}
