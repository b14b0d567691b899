import t from 'tap';
import { attributesToStateJson, parseAttributes } from '../../src/sim/attributes.js';
import { isValidUuidBytes, MasterIds, newStatusUuid } from '../../src/sim/ids.js';
import { ipv4NetworkOrder } from '../../src/sim/masterInfo.js';
import { parseMesosValue } from '../../src/sim/mesosValue.js';
import { Resources, validateResourceList } from '../../src/sim/resources.js';
import { describeProcessEnd } from '../../src/sim/waitStatus.js';

function parse(text: string): Resources {
  const r = Resources.parse(text);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

t.test('resources add, subtract and compare in thousandths, as Mesos does', async (t) => {
  const agent = parse('cpus:2;mem:2048;disk:10240;ports:[31000-31999]');
  const task = Resources.fromProtos([
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 16 } },
    { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31001 }] } },
  ]);
  const left = agent.minus(task);
  t.equal(left.scalar('cpus'), 1.9);
  t.equal(left.toText('*'), 'cpus(allocated: *):1.9; mem(allocated: *):2032; disk(allocated: *):10240; ports(allocated: *):[31002-31999]');
  t.equal(left.inOfferOrder().toText(), 'ports:[31002-31999]; cpus:1.9; mem:2032; disk:10240');
  t.ok(agent.contains(task));
  t.notOk(left.contains(task), 'the used ports are no longer available');
  t.equal(left.plus(task).toText(), agent.toText(), 'adding back restores the original');
  let sum = Resources.EMPTY;
  for (let i = 0; i < 10; i++) sum = sum.plus(Resources.fromProtos([{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }]));
  t.equal(sum.scalar('cpus'), 1, 'ten tenths make exactly one');
  t.same(agent.toStateJson(), { cpus: 2, gpus: 0, mem: 2048, disk: 10240, ports: '[31000-31999]' });
  const reserved = Resources.fromProtos([{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: 'db' }]);
  t.notOk(agent.contains(reserved), 'reserved resources are not in unreserved offers');
  t.equal(Resources.EMPTY.toText(), '{}');
});

t.test('resource texts and validation messages', async (t) => {
  t.equal(Resources.parse('cpus:x'), "resource 'cpus:x' has a text value; resources are numbers, [ranges] or {sets}");
  t.match(Resources.parse('cpus(db):1'), /reserved for role 'db'/);
  t.match(Resources.parse('nonsense'), /not name:value/);
  t.equal(parse('gpus:{a,b};cpus:1').toText(), 'gpus:{a, b}; cpus:1');
  t.equal(validateResourceList([{ name: 'cpus', type: 'SCALAR', scalar: { value: -1 } }]), "Resource 'cpus:-1' is invalid: Invalid scalar resource: value <= 0");
  t.equal(
    validateResourceList([{ name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 5, end: 1 }] } }]),
    "Resource 'ports:[5-1]' is invalid: Invalid ranges resource: begin > end",
  );
  t.match(validateResourceList([{ name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 1, end: 5 }, { begin: 3, end: 9 }] } }]), /overlapping ranges/);
  t.match(validateResourceList([{ name: 's', type: 'SET', set: { item: ['a', 'a'] } }]), /duplicated elements/);
  t.match(validateResourceList([{ name: 'cpus', type: 'SCALAR' }]), /Invalid scalar resource$/);
  t.equal(validateResourceList([{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }]), undefined);
});

t.test('values and attributes are read as Mesos reads agent flags', async (t) => {
  t.same(parseMesosValue('[1-5, 6-9,20-21]'), { ok: true, value: { type: 'RANGES', ranges: [{ begin: 1, end: 9 }, { begin: 20, end: 21 }] } });
  t.same(parseMesosValue('{a, b}'), { ok: true, value: { type: 'SET', items: ['a', 'b'] } });
  t.same(parseMesosValue('2.5'), { ok: true, value: { type: 'SCALAR', value: 2.5 } });
  t.same(parseMesosValue('-2'), { ok: true, value: { type: 'TEXT', value: '-2' } }, 'negative numbers are text');
  t.same(parseMesosValue('a b'), { ok: true, value: { type: 'TEXT', value: 'ab' } }, 'spaces are removed');
  t.same(parseMesosValue('[1-x]'), { ok: false, error: "Expecting non-negative integers in '1'" });
  t.same(parseMesosValue('[1-2'), { ok: false, error: 'Mismatched brackets' });

  const attributes = parseAttributes('zone:a;rack:1;slots:[1-3];path:/data/x:y');
  t.same(attributes, [
    { name: 'zone', type: 'TEXT', text: { value: 'a' } },
    { name: 'rack', type: 'SCALAR', scalar: { value: 1 } },
    { name: 'slots', type: 'RANGES', ranges: { range: [{ begin: 1, end: 3 }] } },
    { name: 'path', type: 'TEXT', text: { value: '/data/x:y' } },
  ]);
  t.same(attributesToStateJson(attributes as never), { zone: 'a', rack: 1, slots: '[1-3]', path: '/data/x:y' });
  t.equal(parseAttributes('zone'), "Invalid attribute key:value pair 'zone'");
  t.match(parseAttributes('k:{a,b}'), /set value/);
});

t.test('ids and small formats', async (t) => {
  const ids = new MasterIds('m');
  t.same([ids.nextFrameworkId(), ids.nextFrameworkId(), ids.nextAgentId(), ids.nextOfferId(), ids.nextOfferId()], ['m-0000', 'm-0001', 'm-S0', 'm-O0', 'm-O1']);
  t.ok(isValidUuidBytes(newStatusUuid()));
  t.notOk(isValidUuidBytes('AAAA'), 'too short');
  t.notOk(isValidUuidBytes(Buffer.alloc(16).toString('base64')), 'version 0 is not a UUID');
  t.equal(ipv4NetworkOrder('127.0.0.1'), 16777343);
  t.equal(ipv4NetworkOrder('10.1.2.3'), 0x0302010a);
  t.equal(describeProcessEnd({ kind: 'exited', code: 0 }), 'exited with status 0');
  t.equal(describeProcessEnd({ kind: 'signaled', signal: 'SIGTERM' }), 'terminated with signal Terminated');
  t.equal(describeProcessEnd({ kind: 'signaled', signal: 'SIGKILL' }), 'terminated with signal Killed');
});
