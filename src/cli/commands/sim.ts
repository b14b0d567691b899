// `ferry sim`: runs the simulator in the foreground, prints its URL and stops
// it cleanly on SIGINT or SIGTERM, leaving no task process behind. It parses
// flags only; the behaviour lives in src/sim/.

import { Command, InvalidArgumentError } from 'commander';
import { createLogger } from '../../common/log.js';
import { readCredentialsFile } from '../../sim/credentials.js';
import { SimError } from '../../sim/simErrors.js';
import { Simulator, type SimulatorOptions } from '../../sim/simulator.js';

interface SimFlags {
  agents: number;
  port: number;
  host: string;
  workDir: string;
  agentResources?: string;
  agentAttributes: string[];
  posixOnlyAgents?: number[];
  agentHostnames?: string[];
  executorRegistrationTimeout?: number;
  executorShutdownGracePeriod?: number;
  allocationInterval?: number;
  offerTimeout?: number;
  heartbeatInterval?: number;
  agentPingTimeout?: number;
  maxAgentPingTimeouts?: number;
  zk?: string;
  processless?: boolean;
  credentials?: string;
}

export function simCommand(): Command {
  return new Command('sim')
    .description('run a simulated Mesos master with agents (local mode, tests, benchmarks)')
    .requiredOption('--work-dir <dir>', 'directory for the agents (agent-K/ each) and task sandboxes')
    .option('--agents <n>', 'number of agents', wholeNumber('--agents', 0), 3)
    .option('--port <port>', 'HTTP port of the master (0: any free port)', port, 5050)
    .option('--host <address>', 'address to listen on and to advertise', '127.0.0.1')
    .option('--agent-resources <resources>', "each agent's resources, e.g. 'cpus:4;mem:8192;disk:65536;ports:[31000-31999]'")
    .option('--agent-attributes <attributes>', "attributes of the next agent, e.g. 'zone:a;rack:1' (repeat: the k-th applies to agent k)", collect, [])
    .option('--posix-only-agents <indexes>', 'comma-separated indexes of agents with posix isolation only (no volumes)', indexList)
    .option(
      '--agent-hostnames <names>',
      "comma-separated hostnames of agents 0, 1, ... (default: --host); a maintenance MachineID is {hostname, ip: --host}",
      hostnameList,
    )
    .option('--executor-registration-timeout <secs>', 'seconds a custom executor has to subscribe (default: 60)', positiveNumber('--executor-registration-timeout'))
    .option('--executor-shutdown-grace-period <secs>', 'seconds between SHUTDOWN and SIGKILL of a custom executor (default: 5)', positiveNumber('--executor-shutdown-grace-period'))
    .option('--allocation-interval <secs>', 'seconds between allocation rounds', positiveNumber('--allocation-interval'))
    .option('--offer-timeout <secs>', 'seconds before an unanswered offer is rescinded (default: never)', positiveNumber('--offer-timeout'))
    .option('--heartbeat-interval <secs>', 'seconds between HEARTBEAT events', positiveNumber('--heartbeat-interval'))
    .option('--agent-ping-timeout <secs>', 'seconds the master waits for an agent to answer a ping', positiveNumber('--agent-ping-timeout'))
    .option('--max-agent-ping-timeouts <n>', 'missed pings before an agent is unreachable', wholeNumber('--max-agent-ping-timeouts', 1))
    .option('--zk <url>', 'take part in master election in ZooKeeper, e.g. zk://127.0.0.1:2181/mesos')
    .option('--processless', 'run tasks without processes (scale benchmarks only)')
    .option('--credentials <file>', 'require HTTP basic authentication with these credentials (JSON or "principal secret" lines)')
    .action(async (flags: SimFlags) => {
      try {
        await runSimulator(flags);
      } catch (err) {
        process.stderr.write(`ferry sim: ${err instanceof SimError || err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      }
    });
}

async function runSimulator(flags: SimFlags): Promise<void> {
  const logger = createLogger({ name: 'ferry-sim' });
  const options: SimulatorOptions = {
    workDir: flags.workDir,
    host: flags.host,
    port: flags.port,
    agents: flags.agents,
    agentAttributes: flags.agentAttributes,
    logger,
    ...(flags.agentResources !== undefined ? { agentResources: flags.agentResources } : {}),
    ...(flags.posixOnlyAgents !== undefined ? { posixOnlyAgents: flags.posixOnlyAgents } : {}),
    ...(flags.agentHostnames !== undefined ? { agentHostnames: flags.agentHostnames } : {}),
    ...(flags.executorRegistrationTimeout !== undefined ? { executorRegistrationTimeoutMs: flags.executorRegistrationTimeout * 1000 } : {}),
    ...(flags.executorShutdownGracePeriod !== undefined ? { executorShutdownGracePeriodMs: flags.executorShutdownGracePeriod * 1000 } : {}),
    ...(flags.allocationInterval !== undefined ? { allocationIntervalMs: flags.allocationInterval * 1000 } : {}),
    ...(flags.offerTimeout !== undefined ? { offerTimeoutMs: flags.offerTimeout * 1000 } : {}),
    ...(flags.heartbeatInterval !== undefined ? { heartbeatIntervalSeconds: flags.heartbeatInterval } : {}),
    ...(flags.agentPingTimeout !== undefined ? { agentPingTimeoutMs: flags.agentPingTimeout * 1000 } : {}),
    ...(flags.maxAgentPingTimeouts !== undefined ? { maxAgentPingTimeouts: flags.maxAgentPingTimeouts } : {}),
    ...(flags.zk !== undefined ? { zk: flags.zk } : {}),
    ...(flags.processless === true ? { processless: true } : {}),
    ...(flags.credentials !== undefined ? { credentials: await readCredentialsFile(flags.credentials) } : {}),
  };
  const sim = await Simulator.start(options);
  process.stdout.write(`${sim.url}\n`);

  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      logger.info({ signal }, 'stopping the simulator');
      sim.stop().then(resolve, (err: unknown) => {
        logger.error({ err }, 'the simulator did not stop cleanly');
        process.exitCode = 1;
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  logger.flush();
}

function wholeNumber(flag: string, min: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min) {
      throw new InvalidArgumentError(`${flag} takes a whole number of ${min} or more, not '${value}'.`);
    }
    return Number(value);
  };
}

function positiveNumber(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
      throw new InvalidArgumentError(`${flag} takes a positive number of seconds, not '${value}'.`);
    }
    return n;
  };
}

function port(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) > 65535) {
    throw new InvalidArgumentError(`--port takes a port number from 0 to 65535, not '${value}'.`);
  }
  return Number(value);
}

function indexList(value: string): number[] {
  const parts = value.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) {
    throw new InvalidArgumentError(`--posix-only-agents takes agent indexes such as '1,2', not '${value}'.`);
  }
  return parts.map(Number);
}

function hostnameList(value: string): string[] {
  const names = value.split(',').map((p) => p.trim());
  if (names.length === 0 || names.some((n) => n === '')) {
    throw new InvalidArgumentError(`--agent-hostnames takes hostnames such as 'alpha,beta', not '${value}'.`);
  }
  return names;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
