// Every Marathon file shipped in marathon/ is one Ferry accepts (its own
// parser decides), and says what its docs promise: Ferry itself as three
// leader-elected instances, the examples with and without a dataset.

import t from 'tap';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAppDefinition } from '../../src/apps/appDefinition.js';
import type { AppSpec } from '../../src/apps/appSpec.js';
import { packageRoot } from '../../src/common/packageRoot.js';

const MARATHON = join(packageRoot(), 'marathon');

async function jsonFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await jsonFiles(path)));
    else if (entry.name.endsWith('.json')) out.push(path);
  }
  return out.sort();
}

async function spec(file: string): Promise<AppSpec> {
  const parsed = parseAppDefinition(JSON.parse(await readFile(join(MARATHON, file), 'utf8')));
  if (!parsed.ok) throw new Error(`${file}: ${JSON.stringify(parsed.errors)}`);
  return parsed.spec;
}

t.test('every JSON file under marathon/ is a Marathon app definition Ferry accepts', async (t) => {
  const files = await jsonFiles(MARATHON);
  t.same(files.map((f) => relative(MARATHON, f)), ['examples/kv.json', 'examples/todo-db.json', 'examples/todo-web.json', 'ferry.json']);
  for (const file of files) {
    const parsed = parseAppDefinition(JSON.parse(await readFile(file, 'utf8')));
    t.ok(parsed.ok, `${relative(MARATHON, file)}: ${parsed.ok ? 'accepted' : JSON.stringify(parsed.errors)}`);
  }
});

t.test('ferry.json runs three schedulers on distinct hosts, health-checked, replaced one at a time', async (t) => {
  const ferry = await spec('ferry.json');
  t.equal(ferry.instances, 3);
  t.same(ferry.constraints.map((c) => [c.field, c.operator]), [['hostname', 'UNIQUE']]);
  t.match(ferry.cmd, /ferry\/bin\/ferry\.js scheduler --master "\$MESOS_MASTER" --zk "\$FERRY_ZK" --api 0\.0\.0\.0:\$PORT0 --advertise-api \$HOST:\$PORT0/);
  t.match(ferry.env, { MESOS_MASTER: /^zk:\/\/.+\/mesos$/, FERRY_ZK: /^zk:\/\/.+\/ferry$/ });
  t.match(ferry.healthChecks, [{ protocol: 'MESOS_HTTP', path: '/v1/health', portIndex: 0 }]);
  t.same(ferry.upgradeStrategy, { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 });
  const keptDuringUpgrade = Math.ceil(ferry.instances * ferry.upgradeStrategy.minimumHealthCapacity);
  t.ok(keptDuringUpgrade >= 1 && keptDuringUpgrade < ferry.instances, 'a rolling upgrade keeps some instances and replaces at least one at a time');
  t.match(ferry.fetch, [{ uri: /ferry-[\d.]+\.tar\.gz$/, extract: true }]);
  t.equal(ferry.dataset, undefined, 'Ferry keeps its state in ZooKeeper, not in a dataset');
});

t.test('the examples: kv and todo-db keep data in a dataset, todo-web keeps none and finds the db by its port', async (t) => {
  const kv = await spec('examples/kv.json');
  t.match(kv.dataset, { name: 'kv-data', containerPath: 'data', backend: 'local' });
  const db = await spec('examples/todo-db.json');
  t.match(db.dataset, { name: 'todo-db-data', containerPath: 'data' });
  const web = await spec('examples/todo-web.json');
  t.equal(web.dataset, undefined);
  t.equal(web.env['TODO_DB_URL'], `http://127.0.0.1:${db.ports[0]!.port}`, "the web tier's database URL is the db tier's fixed port");
  for (const [name, app] of [['kv', kv], ['todo-db', db], ['todo-web', web]] as const) {
    const script = /\}\/([\w-]+\.mjs)"$/.exec(app.cmd ?? '')?.[1];
    t.ok(script !== undefined && existsSync(join(MARATHON, 'examples', script)), `${name} runs a script shipped in marathon/examples (${script})`);
    t.match(app.cmd, /\$\{FERRY_EXAMPLES_DIR:\?/, `${name} says what is missing when FERRY_EXAMPLES_DIR is not set`);
  }
});
