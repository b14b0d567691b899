import t from 'tap';
import { appIdFromUrlPath, appIdSegments, normalizeAppId, reservedAppIdProblem } from '../../src/apps/appId.js';

function idOf(text: string): string {
  const result = normalizeAppId(text);
  if (!result.ok) throw new Error(`expected "${text}" to normalize, got ${result.error.message}`);
  return result.id;
}

function problemOf(text: string): string {
  const result = normalizeAppId(text);
  if (result.ok) throw new Error(`expected "${text}" to be refused, got ${result.id}`);
  return result.error.message;
}

t.test('relative and absolute ids normalize to the absolute form', async (t) => {
  t.equal(idOf('counter'), '/counter');
  t.equal(idOf('/counter'), '/counter');
  t.equal(idOf('prod/db'), '/prod/db');
  t.equal(idOf('/prod/db'), '/prod/db');
  t.equal(idOf('/prod/db/'), '/prod/db', 'a trailing slash is dropped');
  t.equal(idOf('/a.b-c/0'), '/a.b-c/0');
});

t.test("ids outside Marathon's segment rules are refused with the rule", async (t) => {
  t.match(problemOf('/Prod/db'), /segment "Prod" is not valid \(use lowercase\)/);
  t.match(problemOf('/prod_db'), /may contain only lowercase letters, digits, '-' and '\.'/);
  t.match(problemOf('/-db'), /segment "-db" is not valid/);
  t.match(problemOf('/db-'), /segment "db-" is not valid/);
  t.match(problemOf('/a..b'), /segment "a\.\.b" is not valid/);
  t.match(problemOf('/a.-b'), /segment "a\.-b" is not valid/);
  t.match(problemOf('/prod//db'), /has an empty segment/);
  t.match(problemOf('/prod/../db'), /"\.\." segments are not allowed/);
  t.match(problemOf('./db'), /"\." segments are not allowed/);
  t.match(problemOf(''), /names no app/);
  t.match(problemOf('/'), /names no app/);
});

t.test('the error names the field the caller gives', async (t) => {
  t.match(normalizeAppId('/X', 'app'), { ok: false, error: { field: 'app' } });
  t.match(normalizeAppId('/X'), { ok: false, error: { field: 'id' } });
});

t.test('segments of a normalized id', async (t) => {
  t.same(appIdSegments('/prod/db'), ['prod', 'db']);
  t.same(appIdSegments('/counter'), ['counter']);
});

t.test('a reserved last segment is named with the reason', async (t) => {
  t.match(reservedAppIdProblem('/db/restart'), /ends in "restart", which is reserved/);
  t.equal(reservedAppIdProblem('/restart/db'), undefined);
  t.equal(reservedAppIdProblem('/db'), undefined);
});

t.test('URL paths give the app id with its nested segments', async (t) => {
  t.strictSame(appIdFromUrlPath(['prod', 'db']), { ok: true, appId: '/prod/db' });
  t.strictSame(appIdFromUrlPath(['counter']), { ok: true, appId: '/counter' });
  t.strictSame(appIdFromUrlPath(['counter', '']), { ok: true, appId: '/counter' }, 'a trailing slash is ignored');
});

t.test('URL paths ending in an action give the action and the app before it', async (t) => {
  for (const action of ['move', 'restart', 'scale'] as const) {
    t.strictSame(appIdFromUrlPath(['prod', 'db', action]), { ok: true, appId: '/prod/db', action });
  }
  t.strictSame(appIdFromUrlPath(['prod', 'tasks']), { ok: true, appId: '/prod/tasks' }, 'only actions are split off');
});

t.test('URL paths naming no app, or an invalid one, are refused', async (t) => {
  t.match(appIdFromUrlPath([]), { ok: false, error: { field: 'id', message: /the URL names no app: use \/v1\/apps\/<app id>/ } });
  t.match(appIdFromUrlPath(['scale']), { ok: false, error: { message: /names no app before "scale"/ } });
  t.match(appIdFromUrlPath(['Prod', 'db']), { ok: false, error: { message: /use lowercase/ } });
  t.match(appIdFromUrlPath(['prod', '', 'db']), { ok: false, error: { message: /empty segment/ } });
});
