// How the ferry command finds and reaches the API: --url over FERRY_URL over
// the default, the bearer token from --token or FERRY_TOKEN, and the exit
// codes for an API that cannot be reached, refuses, or is not Ferry's.

import t, { type Test } from 'tap';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { TokenTable } from '../../src/api/apiTokens.js';
import { freePort } from '../support/ferryProcess.js';
import { runFerry, shown, startCliFerry } from './ferryCli.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** A stand-in HTTP server that answers every request with one canned reply and remembers what it was asked. */
async function recordingServer(t: Test, reply: { status: number; body: string; type?: string }): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    res.writeHead(reply.status, { 'content-type': reply.type ?? 'application/json' });
    res.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

const LEADER = JSON.stringify({ leader: '127.0.0.1:8080', self: true });

t.test('an API nobody listens on exits 3 and names the URL it tried', async (t) => {
  const port = await freePort();
  const result = await runFerry(['apps', 'ls', '--url', `http://127.0.0.1:${port}`]);
  t.equal(result.code, 3, shown(result));
  t.match(result.stderr, `ferry: cannot reach Ferry at http://127.0.0.1:${port}: connection refused`);
  t.equal(result.stdout, '');
});

t.test('FERRY_URL says where the API is, and --url overrides it', async (t) => {
  const fromEnv = await recordingServer(t, { status: 200, body: LEADER });
  const fromFlag = await recordingServer(t, { status: 200, body: LEADER });
  const viaEnv = await runFerry(['leader'], { env: { FERRY_URL: fromEnv.url } });
  t.equal(viaEnv.code, 0, shown(viaEnv));
  t.match(fromEnv.seen, [{ method: 'GET', url: '/v1/leader' }]);
  const viaFlag = await runFerry(['leader', '--url', fromFlag.url], { env: { FERRY_URL: fromEnv.url } });
  t.equal(viaFlag.code, 0, shown(viaFlag));
  t.equal(fromEnv.seen.length, 1, 'FERRY_URL was not used when --url was given');
  t.equal(fromFlag.seen.length, 1);
});

t.test('a URL without a scheme is taken as http, a base path is kept, and the default is 127.0.0.1:8080', async (t) => {
  const server = await recordingServer(t, { status: 200, body: LEADER });
  const bare = await runFerry(['leader', '--url', `${server.url.replace('http://', '')}/ferry/`]);
  t.equal(bare.code, 0, shown(bare));
  t.equal(server.seen[0]?.url, '/ferry/v1/leader');
  const help = await runFerry(['apps', 'ls', '--help']);
  t.match(help.stdout, /--url <url>[\s\S]*default: "http:\/\/127\.0\.0\.1:8080", env:\s+FERRY_URL/);
});

t.test('a URL that is not one is a usage error (exit 2) and nothing is sent', async (t) => {
  for (const url of ['ftp://example.com', 'http://exa mple.com', 'http://127.0.0.1:8080/?x=1']) {
    const result = await runFerry(['apps', 'ls', '--url', url]);
    t.equal(result.code, 2, `${url}: ${shown(result)}`);
    t.match(result.stderr, /--url/);
  }
});

t.test('the token from --token or FERRY_TOKEN is sent as a bearer token, and none when neither is given', async (t) => {
  const server = await recordingServer(t, { status: 200, body: LEADER });
  await runFerry(['leader', '--url', server.url, '--token', 'from-flag'], { env: { FERRY_TOKEN: 'from-env' } });
  await runFerry(['leader', '--url', server.url], { env: { FERRY_TOKEN: 'from-env' } });
  await runFerry(['leader', '--url', server.url]);
  t.same(
    server.seen.map((s) => s.headers['authorization']),
    ['Bearer from-flag', 'Bearer from-env', undefined],
  );
});

t.test('an answer that is not JSON says the URL may not be Ferry (exit 1)', async (t) => {
  const server = await recordingServer(t, { status: 200, body: '<html>hello</html>', type: 'text/html' });
  const result = await runFerry(['apps', 'ls', '--url', server.url]);
  t.equal(result.code, 1, shown(result));
  t.match(result.stderr, `is ${server.url} Ferry's API?`);
});

t.test('against a Ferry with tokens: none is refused with a hint, read-only may read but not write, admin may write', async (t) => {
  const ferry = await startCliFerry(t, { api: { auth: TokenTable.fromEnvironment('admin-secret:admin,reader-secret:read-only') } });
  const none = await runFerry(['apps', 'ls', '--url', ferry.url]);
  t.equal(none.code, 1, shown(none));
  t.match(none.stderr, /requires a token.*give --token or set FERRY_TOKEN \(field "Authorization", HTTP 401\)/);
  t.notMatch(none.stderr, /secret/, 'no token is echoed');

  const read = await runFerry(['apps', 'ls', '--url', ferry.url, '--token', 'reader-secret']);
  t.equal(read.code, 0, shown(read));
  const write = await runFerry(['apps', 'scale', '/nothing', '1', '--url', ferry.url], { env: { FERRY_TOKEN: 'reader-secret' } });
  t.equal(write.code, 1, shown(write));
  t.match(write.stderr, /read-only token may not POST.*HTTP 403/);

  const wrong = await runFerry(['apps', 'ls', '--url', ferry.url, '--token', 'guess']);
  t.equal(wrong.code, 1, shown(wrong));
  t.match(wrong.stderr, /not known to this Ferry.*the token given was not accepted/);

  const admin = await runFerry(['apps', 'scale', '/nothing', '1', '--url', ferry.url, '--token', 'admin-secret']);
  t.equal(admin.code, 1, shown(admin));
  t.match(admin.stderr, /app \/nothing does not exist.*HTTP 404/, 'the admin token got past authentication to the app lookup');
});

t.test('usage errors exit 2 and say what is wrong; --help exits 0', async (t) => {
  const cases: [string[], RegExp][] = [
    [['apps', 'frobnicate'], /unknown command 'frobnicate'/],
    [['apps', 'scale', '/kv'], /missing required argument 'instances'/],
    [['apps', 'scale', '/kv', 'three'], /<instances> takes a whole number/],
    [['datasets', 'create', 'x'], /required option '--size <GiB>' not specified/],
    [['datasets', 'create', 'x', '--size', '0'], /--size takes a size in GiB/],
    [['datasets', 'create', 'x', '--size', '1', '--backend', 'nfs'], /Allowed choices are local, loopback, ebs/],
    [['datasets', 'create', 'x', '--size', '1', '--metadata', 'novalue'], /--metadata takes key=value/],
    [['moves', 'ls', '--state', 'sideways'], /--state takes one of RUNNING, SUCCEEDED/],
    [['apps', 'move', '/kv'], /required option '--to <agent>'/],
    [['apps'], /Usage: ferry apps/],
    [['local', '--agents', '0'], /--agents takes a whole number of 1 or more/],
  ];
  for (const [args, message] of cases) {
    const result = await runFerry(args);
    t.equal(result.code, 2, `${args.join(' ')}: ${shown(result)}`);
    t.match(result.stderr, message, args.join(' '));
  }
  const help = await runFerry(['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /Exit codes:\n\s+0\s+ok\n\s+1\s+Ferry refused.*\n\s+2\s+usage error.*\n\s+3\s+cannot reach/);
});

t.test('every client command has --help with its flags and the exit codes', async (t) => {
  const commands = [
    ['datasets', 'create'], ['datasets', 'ls'], ['datasets', 'show'], ['datasets', 'rm'], ['datasets', 'move'],
    ['apps', 'deploy'], ['apps', 'ls'], ['apps', 'show'], ['apps', 'scale'], ['apps', 'restart'], ['apps', 'move'], ['apps', 'rm'],
    ['moves', 'ls'], ['moves', 'show'], ['moves', 'cancel'], ['agents', 'ls'], ['leader'],
  ];
  for (const command of commands) {
    const result = await runFerry([...command, '--help']);
    t.equal(result.code, 0, command.join(' '));
    t.match(result.stdout, /--url <url>[\s\S]*--token <token>[\s\S]*--json[\s\S]*Exit codes:[\s\S]*3\s+cannot reach/, command.join(' '));
  }
  const local = await runFerry(['local', '--help']);
  t.match(local.stdout, /--work-dir[\s\S]*--api-port[\s\S]*--sim-port[\s\S]*--agents[\s\S]*--no-example[\s\S]*Exit codes:/);
});
