import t from 'tap';
import type { Context } from 'koa';
import { ApiContext, type ApiDependencies } from '../../src/api/apiContext.js';
import { ApiError } from '../../src/api/apiError.js';
import { FORWARDED_HEADER, leaderToAsk } from '../../src/api/leaderForwarding.js';
import type { World } from '../../src/scheduler/world.js';

// Just what leaderToAsk reads: the request's headers, who leads, this instance's address and its live view.
function setup(leaderApi: string | undefined, headers: Record<string, string> = {}): { api: ApiContext; ctx: Context; service: { view: World | undefined } } {
  const service: { view: World | undefined } = { view: undefined };
  const leadership = { leaderInfo: () => Promise.resolve(leaderApi === undefined ? undefined : { api: leaderApi }) };
  const deps = { service, leadership, selfApi: '127.0.0.1:8080' } as unknown as ApiDependencies;
  const ctx = { get: (name: string) => headers[name] ?? '' } as unknown as Context;
  return { api: new ApiContext(deps), ctx, service };
}

t.test('a standby sends a write to the leader it knows', async (t) => {
  const { api, ctx } = setup('127.0.0.1:8081');
  t.equal(await leaderToAsk(ctx, api), '127.0.0.1:8081');
});

t.test('with no leader, or a request forwarded once already, the answer is 503', async (t) => {
  await t.rejects(leaderToAsk(setup(undefined).ctx, setup(undefined).api), { status: 503, message: /no Ferry instance leads/ });
  const forwarded = setup('127.0.0.1:8081', { [FORWARDED_HEADER]: '127.0.0.1:8082' });
  await t.rejects(leaderToAsk(forwarded.ctx, forwarded.api), ApiError);
});

t.test('an instance elected a moment ago holds the request until it leads, instead of sending it to itself at once', async (t) => {
  const { api, ctx, service } = setup('127.0.0.1:8080');
  setTimeout(() => (service.view = {} as World), 300);
  const asked = await leaderToAsk(ctx, api);
  t.ok(service.view !== undefined, 'the answer came only once this instance led');
  t.equal(asked, '127.0.0.1:8080');
});
