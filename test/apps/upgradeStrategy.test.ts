import t from 'tap';
import { accepted, appDefinition, externalVolume, onlyError, persistentVolume, refused, withVolumes } from './builders.js';

t.test("a stateless app gets Marathon's default upgrade strategy", async (t) => {
  t.strictSame(accepted(appDefinition()).spec.upgradeStrategy, { minimumHealthCapacity: 1, maximumOverCapacity: 1 });
});

t.test("an app with a dataset gets Marathon's resident default: no extra task", async (t) => {
  t.strictSame(accepted(withVolumes([externalVolume()])).spec.upgradeStrategy, { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 });
  t.strictSame(accepted(withVolumes([persistentVolume()])).spec.upgradeStrategy, { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 });
});

t.test('a given strategy is kept, the missing half defaulted', async (t) => {
  t.strictSame(accepted(appDefinition({ upgradeStrategy: { minimumHealthCapacity: 0.25, maximumOverCapacity: 0.5 } })).spec.upgradeStrategy, {
    minimumHealthCapacity: 0.25,
    maximumOverCapacity: 0.5,
  });
  t.strictSame(accepted(appDefinition({ upgradeStrategy: { minimumHealthCapacity: 0 } })).spec.upgradeStrategy, {
    minimumHealthCapacity: 0,
    maximumOverCapacity: 1,
  });
  t.strictSame(accepted(withVolumes([externalVolume()], { upgradeStrategy: { minimumHealthCapacity: 0 } })).spec.upgradeStrategy, {
    minimumHealthCapacity: 0,
    maximumOverCapacity: 0,
  });
});

t.test('an app with a dataset may not allow extra capacity: two tasks can never share a dataset', async (t) => {
  const error = onlyError(withVolumes([externalVolume()], { upgradeStrategy: { minimumHealthCapacity: 0, maximumOverCapacity: 0.5 } }));
  t.equal(error.field, 'upgradeStrategy.maximumOverCapacity');
  t.match(error.message, /must be 0 for an app with a dataset \(got 0\.5\): an upgrade may not start an extra task, because two tasks can never share a dataset/);
});

t.test('the rule holds even when the volume itself has errors, so both are reported', async (t) => {
  const errors = refused(withVolumes([externalVolume({ size: 0 })], { upgradeStrategy: { maximumOverCapacity: 1 } }));
  t.same(errors.map((e) => e.field).sort(), ['container.volumes[0].external.size', 'upgradeStrategy.maximumOverCapacity']);
});
