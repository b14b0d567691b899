// How a new version of an app replaces the old one, with Marathon's defaults
// (a resident app's for an app with a dataset) and the one rule a dataset
// imposes: never start an extra task, since two tasks cannot share a dataset.

import type { UpgradeStrategySpec } from './appSpec.js';
import type { UpgradeStrategyShape } from './appDefinitionShape.js';
import type { FieldError } from './fieldError.js';

/** Marathon's default for apps without volumes. */
export const STATELESS_UPGRADE_DEFAULT: UpgradeStrategySpec = { minimumHealthCapacity: 1, maximumOverCapacity: 1 };
/** Marathon's default for apps with persistent or external volumes. */
export const DATASET_UPGRADE_DEFAULT: UpgradeStrategySpec = { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 };

export function normalizeUpgradeStrategy(
  given: UpgradeStrategyShape | null | undefined,
  hasDataset: boolean,
  errors: FieldError[],
): UpgradeStrategySpec {
  const defaults = hasDataset ? DATASET_UPGRADE_DEFAULT : STATELESS_UPGRADE_DEFAULT;
  const spec: UpgradeStrategySpec = {
    minimumHealthCapacity: given?.minimumHealthCapacity ?? defaults.minimumHealthCapacity,
    maximumOverCapacity: given?.maximumOverCapacity ?? defaults.maximumOverCapacity,
  };
  if (hasDataset && spec.maximumOverCapacity !== 0) {
    errors.push({
      field: 'upgradeStrategy.maximumOverCapacity',
      message:
        `must be 0 for an app with a dataset (got ${spec.maximumOverCapacity}): an upgrade may not start an extra task, ` +
        'because two tasks can never share a dataset; the old task stops before the new one starts',
    });
  }
  return spec;
}
