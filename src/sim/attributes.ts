// Agent attributes as a Mesos agent reads --attributes: SCALAR, RANGES or TEXT
// values; set values are refused, as Mesos refuses them. It never throws:
// errors come back as messages.

import type { Attribute } from '../mesos/types.js';
import { assertNever } from './exhaustive.js';
import { formatRanges, formatSet, parseMesosValue } from './mesosValue.js';

/** Parses "k:v;k2:v2"; returns the attributes or a message naming the bad pair. */
export function parseAttributes(text: string): Attribute[] | string {
  const attributes: Attribute[] = [];
  for (const token of text.split(/[;\n]/).filter((t) => t !== '')) {
    const colon = token.indexOf(':');
    const name = colon === -1 ? '' : token.slice(0, colon);
    const raw = colon === -1 ? '' : token.slice(colon + 1);
    if (name === '' || raw === '') return `Invalid attribute key:value pair '${token}'`;
    const parsed = parseMesosValue(raw);
    if (!parsed.ok) return `Failed to parse attribute ${name} text ${raw} error ${parsed.error}`;
    const v = parsed.value;
    switch (v.type) {
      case 'SCALAR':
        attributes.push({ name, type: 'SCALAR', scalar: { value: v.value } });
        break;
      case 'RANGES':
        attributes.push({ name, type: 'RANGES', ranges: { range: v.ranges } });
        break;
      case 'TEXT':
        attributes.push({ name, type: 'TEXT', text: { value: v.value } });
        break;
      case 'SET':
        return `attribute '${name}' has the set value '${raw}'; Mesos agents accept text, scalar and [range] attributes only`;
      default:
        return assertNever(v);
    }
  }
  return attributes;
}

/** The {name: value} object a master's /state shows for an agent's attributes. */
export function attributesToStateJson(attributes: readonly Attribute[]): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const a of attributes) {
    switch (a.type) {
      case 'SCALAR':
        out[a.name] = a.scalar?.value ?? 0;
        break;
      case 'RANGES':
        out[a.name] = formatRanges(a.ranges?.range ?? []);
        break;
      case 'SET':
        out[a.name] = formatSet(a.set?.item ?? []);
        break;
      case 'TEXT':
        out[a.name] = a.text?.value ?? '';
        break;
      default:
        return assertNever(a.type);
    }
  }
  return out;
}
