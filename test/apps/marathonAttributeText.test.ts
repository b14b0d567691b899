import t from 'tap';
import { formatMesosScalar, marathonAttributeText } from '../../src/apps/constraints/marathonAttributeText.js';

t.test('scalars print with at most three decimals, halves to even, no trailing zeros', async (t) => {
  t.equal(formatMesosScalar(2), '2');
  t.equal(formatMesosScalar(1.5), '1.5');
  t.equal(formatMesosScalar(1.25), '1.25');
  t.equal(formatMesosScalar(0.1234), '0.123');
  t.equal(formatMesosScalar(0.0005), '0', 'an exact half rounds to the even 0');
  t.equal(formatMesosScalar(0.0015), '0.002', 'an exact half rounds to the even 2');
  t.equal(formatMesosScalar(1.0006), '1.001');
  t.equal(formatMesosScalar(-0.0001), '0');
  t.equal(formatMesosScalar(-2.5), '-2.5');
});

t.test('agent attributes read as Marathon constraints see them', async (t) => {
  t.strictSame(
    marathonAttributeText([
      { name: 'zone', type: 'TEXT', text: { value: 'a' } },
      { name: 'cores', type: 'SCALAR', scalar: { value: 8 } },
      { name: 'weight', type: 'SCALAR', scalar: { value: 0.75 } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 8, end: 9 }, { begin: 1, end: 5 }] } },
      { name: 'disks', type: 'SET', set: { item: ['ssd', 'hdd'] } },
    ]),
    { zone: 'a', cores: '8', weight: '0.75', ports: '[1-5,8-9]', disks: '{hdd,ssd}' },
  );
  t.strictSame(marathonAttributeText(undefined), {});
  t.strictSame(marathonAttributeText([{ name: 'empty', type: 'TEXT' }, { name: 'r', type: 'RANGES' }, { name: 's', type: 'SET' }, { name: 'n', type: 'SCALAR' }]), {
    empty: '',
    r: '[]',
    s: '{}',
    n: '0',
  });
});
