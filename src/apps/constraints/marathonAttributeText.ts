// Agent attributes as Marathon constraints read them: text as is, scalars with
// at most three decimals, ranges as "[1-5,8-9]" and sets as "{a,b}" (sorted).
// Constraint checks compare these strings, so every caller must build them here.

import type { Attribute } from '../../mesos/types.js';

/** A scalar as Marathon prints it: at most three decimals, halves rounded to even, no trailing zeros. */
export function formatMesosScalar(value: number): string {
  const scaled = value * 1000;
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  // Only an exact half rounds to even (Marathon's DecimalFormat uses HALF_EVEN).
  const rounded = diff > 0.5 || (diff === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
  const text = (rounded / 1000).toFixed(3).replace(/\.?0+$/, '');
  return text === '-0' ? '0' : text;
}

/** One attribute's value as text. */
export function attributeValueText(attribute: Attribute): string {
  switch (attribute.type) {
    case 'TEXT':
      return attribute.text?.value ?? '';
    case 'SCALAR':
      return formatMesosScalar(attribute.scalar?.value ?? 0);
    case 'RANGES': {
      const ranges = [...(attribute.ranges?.range ?? [])].sort((a, b) => a.begin - b.begin);
      return `[${ranges.map((r) => `${r.begin}-${r.end}`).join(',')}]`;
    }
    case 'SET':
      return `{${[...(attribute.set?.item ?? [])].sort().join(',')}}`;
    default: {
      const unknown: never = attribute.type;
      return String(unknown);
    }
  }
}

/** An agent's attributes as {name: text}, for constraint checks. */
export function marathonAttributeText(attributes: readonly Attribute[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const attribute of attributes ?? []) out[attribute.name] = attributeValueText(attribute);
  return out;
}
