// Where a Mesos master answers HTTP, and how operators name masters:
// "host:port", "http://host:port", "https://host:port", a comma-separated list
// of those, or zk://host:port[,host:port]/path.

export interface MasterAddress {
  scheme: 'http' | 'https';
  host: string;
  port: number;
}

export type MasterSpec = { kind: 'static'; masters: MasterAddress[] } | { kind: 'zk'; url: string };

export function masterBaseUrl(m: MasterAddress): string {
  const host = m.host.includes(':') ? `[${m.host}]` : m.host;
  return `${m.scheme}://${host}:${m.port}`;
}

export function sameMaster(a: MasterAddress | undefined, b: MasterAddress | undefined): boolean {
  return a !== undefined && b !== undefined && a.scheme === b.scheme && a.host === b.host && a.port === b.port;
}

/** Parses one master address; the port defaults to 5050 like Mesos's own tools. */
export function parseMasterAddress(text: string): MasterAddress {
  const trimmed = text.trim();
  const m = /^(?:(https?):\/\/)?(\[[^\]]+\]|[^:/\s]+)(?::(\d{1,5}))?\/?$/.exec(trimmed);
  if (!m) throw new Error(`"${text}" is not a master address (expected host:port, http://host:port or zk://host:port/path)`);
  const port = m[3] === undefined ? 5050 : Number(m[3]);
  if (port < 1 || port > 65535) throw new Error(`"${text}": port ${port} is out of range`);
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  return { scheme: (m[1] as 'http' | 'https' | undefined) ?? 'http', host, port };
}

/** Parses the --master value (or MESOS_MASTER). */
export function parseMasterSpec(text: string): MasterSpec {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('the master address is empty');
  if (trimmed.startsWith('zk://')) return { kind: 'zk', url: trimmed };
  if (trimmed.startsWith('file://')) {
    throw new Error(`"${text}": file:// master addresses are not supported; give host:port, a list, or zk://`);
  }
  return { kind: 'static', masters: trimmed.split(',').map(parseMasterAddress) };
}

/**
 * Resolves a redirect target as a master sends it: "//host:port/path"
 * (protocol-relative), an absolute URL, or a bare "host:port".
 */
export function addressFromLocation(location: string, current: MasterAddress): MasterAddress {
  const value = location.trim();
  const withScheme = value.startsWith('//') ? `${current.scheme}:${value}` : /^[a-z]+:\/\//i.test(value) ? value : `${current.scheme}://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`the master redirected to an unreadable location "${location}"`);
  }
  const scheme = url.protocol === 'https:' ? 'https' : url.protocol === 'http:' ? 'http' : undefined;
  if (scheme === undefined) throw new Error(`the master redirected to "${location}", which is not http(s)`);
  const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { scheme, host, port };
}
