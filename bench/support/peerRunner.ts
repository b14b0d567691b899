// The peer framework of bench/peerLaunch.ts, run as its own process: the npm
// package `mesos-framework` (installed outside this repository and loaded from
// there; never a dependency of Ferry) launching N `sleep` tasks through its
// own offer handling. It prints one JSON line per milestone and tears its
// framework down on SIGTERM.
//
//   node dist/bench/support/peerRunner.js --lib DIR --master HOST:PORT --name NAME
//        --tasks 100 --cpus 0.1 --mem 32 --log-dir DIR

import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';

interface PeerScheduler {
  on(event: string, listener: (arg: unknown) => void): void;
  subscribe(): void;
  teardown(): void;
  logger: unknown;
}

interface MesosFrameworkModule {
  Scheduler: new (options: Record<string, unknown>) => PeerScheduler;
  Mesos: { getMesos(): { CommandInfo: new (...args: unknown[]) => unknown } };
}

function flag(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (value === undefined) throw new Error(`peerRunner needs --${name}`);
  return value;
}

function say(event: string, extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ peer: event, time: Date.now(), ...extra })}\n`);
}

const lib = flag('lib');
const [host, port] = flag('master').split(':') as [string, string];
const requireFromLib = createRequire(join(lib, 'peer-loader.cjs'));
const framework = requireFromLib('mesos-framework') as MesosFrameworkModule;
const Mesos = framework.Mesos.getMesos();

say('loaded');
const scheduler = new framework.Scheduler({
  masterUrl: host,
  port: Number(port),
  frameworkName: flag('name'),
  user: os.userInfo().username,
  logging: { path: flag('log-dir'), fileName: 'mesos-framework.log', level: 'error' },
  tasks: {
    sleepers: {
      priority: 1,
      instances: Number(flag('tasks')),
      // CommandInfo(uris, environment, shell, value, arguments, user)
      commandInfo: new Mesos.CommandInfo(null, null, true, 'sleep 3600', null, null),
      resources: { cpus: Number(flag('cpus')), mem: Number(flag('mem')), ports: 0, disk: 0 },
    },
  },
});
say('constructed');

let errors = 0;
scheduler.on('ready', () => {
  say('subscribing');
  scheduler.subscribe();
});
scheduler.on('subscribed', (info) => say('subscribed', { frameworkId: (info as { frameworkId?: string }).frameworkId }));
scheduler.on('error', (err) => {
  errors++;
  if (errors <= 20) say('error', { message: err instanceof Error ? err.message : JSON.stringify(err).slice(0, 500) });
});
scheduler.on('sent_teardown', () => {
  say('torn down', { errors });
  process.exit(0);
});
process.once('SIGTERM', () => {
  say('tearing down', { errors });
  scheduler.teardown();
  setTimeout(() => process.exit(0), 5000).unref();
});
