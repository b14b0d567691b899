import t from 'tap';
import { isExtractableUri } from '../../src/apps/fetchArtifacts.js';
import { accepted, appDefinition, onlyError } from './builders.js';

t.test("fetch entries get Marathon's defaults: extracted, not executable, not cached", async (t) => {
  t.strictSame(accepted(appDefinition({ fetch: [{ uri: 'https://example.com/kv' }] })).spec.fetch, [
    { uri: 'https://example.com/kv', executable: false, extract: true, cache: false },
  ]);
  t.strictSame(
    accepted(appDefinition({ fetch: [{ uri: 'https://example.com/kv', executable: true, extract: false, cache: true, destPath: 'bin/kv' }] })).spec.fetch,
    [{ uri: 'https://example.com/kv', executable: true, extract: false, cache: true, destPath: 'bin/kv' }],
  );
});

t.test('legacy uris are fetched, extracted only when their name says archive', async (t) => {
  t.strictSame(accepted(appDefinition({ uris: ['http://x/kv.tgz', 'http://x/kv', 'http://x/a.zip?v=1'] })).spec.fetch, [
    { uri: 'http://x/kv.tgz', executable: false, extract: true, cache: false },
    { uri: 'http://x/kv', executable: false, extract: false, cache: false },
    { uri: 'http://x/a.zip?v=1', executable: false, extract: true, cache: false },
  ]);
  t.equal(isExtractableUri('file:///opt/a.tar.xz'), true);
  t.equal(isExtractableUri('http://x/a.txt#b.zip'), false);
});

t.test('fetch and uris together are refused; an empty one beside the other is not', async (t) => {
  t.strictSame(onlyError(appDefinition({ fetch: [{ uri: 'http://a' }], uris: ['http://b'] })), {
    field: 'uris',
    message: 'give fetch or the legacy uris, not both',
  });
  t.equal(accepted(appDefinition({ fetch: [{ uri: 'http://a' }], uris: [] })).spec.fetch.length, 1);
  t.equal(accepted(appDefinition({ fetch: [], uris: ['http://b'] })).spec.fetch.length, 1);
});

t.test('URIs that cannot be URIs are refused', async (t) => {
  t.match(onlyError(appDefinition({ fetch: [{ uri: 'http://a b' }] })), { field: 'fetch[0].uri', message: /whitespace or control characters/ });
  t.match(onlyError(appDefinition({ fetch: [{ uri: '' }] })), { field: 'fetch[0].uri', message: 'must not be empty' });
  t.match(onlyError(appDefinition({ uris: ['x'.repeat(1025)] })), { field: 'uris[0]', message: /1025 characters long; at most 1024/ });
  t.match(onlyError(appDefinition({ fetch: [{ uri: 'http://a', destPath: '' }] })), { field: 'fetch[0].destPath' });
});
