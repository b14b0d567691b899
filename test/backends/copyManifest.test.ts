// The manifest digest is compared across processes and versions (a sender's
// remembered digest against a receiver's), so its value for a given manifest
// must never change with how it is computed.

import t from 'tap';
import { manifestDigest, type Manifest } from '../../src/node/copy/copyManifest.js';

t.test('a manifest digests to the value every earlier Ferry computed for it', async (t) => {
  const manifest: Manifest = new Map([
    ['lost', { type: 'unknown' }],
    ['link', { type: 'symlink', uid: -1, gid: -1, mtimeNs: '1700000000000000000', target: 'a "quoted" name' }],
    ['a "quoted" name', { type: 'file', mode: 0o644, uid: -1, gid: -1, mtimeNs: '1700000000123456789', size: 5, hashes: ['aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d'] }],
    ['.', { type: 'dir', mode: 0o755, uid: -1, gid: -1, mtimeNs: '1700000000000000000' }],
  ]);
  // computed by the digest as it was first written (one hash update per field)
  t.equal(manifestDigest(manifest), '99682e42014232a34b9c2e4bd7f6196b6b11727d');
});
