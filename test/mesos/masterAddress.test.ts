import t from 'tap';
import { addressFromLocation, parseMasterAddress, parseMasterSpec } from '../../src/mesos/masterAddress.js';
import { Backoff } from '../../src/mesos/backoff.js';

t.test('master addresses are read in every form operators write them', async (t) => {
  t.same(parseMasterAddress('10.0.0.1:5050'), { scheme: 'http', host: '10.0.0.1', port: 5050 });
  t.same(parseMasterAddress('http://m1:5051'), { scheme: 'http', host: 'm1', port: 5051 });
  t.same(parseMasterAddress('https://m1:443/'), { scheme: 'https', host: 'm1', port: 443 });
  t.same(parseMasterAddress('m1'), { scheme: 'http', host: 'm1', port: 5050 });
  t.same(parseMasterAddress('[::1]:5050'), { scheme: 'http', host: '::1', port: 5050 });
  t.same(parseMasterSpec('m1:5050,http://m2:5050'), {
    kind: 'static',
    masters: [
      { scheme: 'http', host: 'm1', port: 5050 },
      { scheme: 'http', host: 'm2', port: 5050 },
    ],
  });
  t.same(parseMasterSpec('zk://z1:2181,z2:2181/mesos'), { kind: 'zk', url: 'zk://z1:2181,z2:2181/mesos' });
});

t.test('bad master addresses are refused with a message naming them', async (t) => {
  t.throws(() => parseMasterAddress('m1:99999'), { message: /"m1:99999": port 99999 is out of range/ });
  t.throws(() => parseMasterAddress('ftp://m1:1'), { message: /is not a master address/ });
  t.throws(() => parseMasterSpec(''), { message: /empty/ });
  t.throws(() => parseMasterSpec('file:///etc/mesos'), { message: /file:\/\/ master addresses are not supported/ });
});

t.test('a protocol-relative redirect keeps the scheme of the master that sent it', async (t) => {
  const current = { scheme: 'https' as const, host: 'a', port: 5050 };
  t.same(addressFromLocation('//b:5051/api/v1/scheduler', current), { scheme: 'https', host: 'b', port: 5051 });
  t.same(addressFromLocation('http://c:5052/master/api/v1/scheduler', current), { scheme: 'http', host: 'c', port: 5052 });
  t.same(addressFromLocation('d:5053', { ...current, scheme: 'http' }), { scheme: 'http', host: 'd', port: 5053 });
  t.throws(() => addressFromLocation('ftp://x:1', current), { message: /not http/ });
});

t.test('backoff doubles up to its cap and resets', async (t) => {
  const b = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
  t.same([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
  b.reset();
  t.equal(b.next(), 100);
});

t.test('backoff jitter stays within its band', async (t) => {
  const low = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.5, random: () => 0.999 });
  const high = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.5, random: () => 0 });
  t.ok(low.next() >= 500);
  t.equal(high.next(), 1000);
  t.throws(() => new Backoff({ initialMs: 0, maxMs: 10 }), { message: /0 < initialMs <= maxMs/ });
});
