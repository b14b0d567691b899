// The CLI's output helpers: aligned tables with colour only when wanted, and
// the sizes, durations and argument forms people read and type.

import t from 'tap';
import { Writable } from 'node:stream';
import { parseSizeGiB, appPath, normalizeAppId } from '../../src/cli/argumentParsers.js';
import { parseApiUrl } from '../../src/cli/apiClient.js';
import { formatBytes, formatDuration, formatMiB, Output, wantsColour } from '../../src/cli/output.js';

function capture(colour: boolean): { out: Output; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { out: new Output(stream, colour), text: () => text };
}

t.test('a table pads every column to its widest cell, two spaces apart, without trailing blanks', async (t) => {
  const { out, text } = capture(false);
  out.table(['NAME', 'STATE', 'NOTE'], [['kv-data', { text: 'READY', tone: 'good' }, ''], ['x', 'MOVING', 'to S2']]);
  t.equal(text(), ['NAME     STATE   NOTE', 'kv-data  READY   -', 'x        MOVING  to S2', ''].join('\n'));
});

t.test('colour is added only when wanted, and never changes the alignment', async (t) => {
  const { out, text } = capture(true);
  out.table(['STATE', 'N'], [[{ text: 'READY', tone: 'good' }, '1']]);
  const plain = text().replace(/\u001b\[\d+m/g, '');
  t.equal(plain, 'STATE  N\nREADY  1\n');
  t.match(text(), /\u001b\[32mREADY\u001b\[39m/);
  const notTty = new Writable({ write: (_c, _e, done) => done() });
  t.equal(wantsColour(Object.assign(notTty, { isTTY: false }), {}), false, 'a pipe gets no colour');
  t.equal(wantsColour(Object.assign(notTty, { isTTY: true }), { NO_COLOR: '' }), false, 'NO_COLOR turns it off');
  t.equal(wantsColour(Object.assign(notTty, { isTTY: true }), {}), true);
  t.equal(wantsColour(Object.assign(notTty, { isTTY: false }), { FORCE_COLOR: '1' }), true, 'FORCE_COLOR turns it on');
});

t.test('fields align their values and leave out unknown ones', async (t) => {
  const { out, text } = capture(false);
  out.fields([['name', 'kv-data'], ['host path', '/data/kv'], ['zone', undefined]]);
  t.equal(text(), 'name:       kv-data\nhost path:  /data/kv\n');
});

t.test('sizes and durations read as people write them', async (t) => {
  t.same([formatMiB(512), formatMiB(1024), formatMiB(1536), formatMiB(3 * 1024 * 1024), formatMiB(undefined)], ['512 MiB', '1 GiB', '1.5 GiB', '3 TiB', '-']);
  t.same([formatBytes(20), formatBytes(3584), formatBytes(12 * 1024 * 1024)], ['20 B', '3.5 KiB', '12 MiB']);
  t.same([formatDuration(850), formatDuration(4200), formatDuration(185_000), formatDuration(7_800_000)], ['850 ms', '4.2 s', '3 min 5 s', '2 h 10 min']);
});

t.test('sizes in GiB become the API\'s size or whole sizeMiB; anything else is refused', async (t) => {
  t.same(parseSizeGiB('2'), { size: 2 });
  t.same(parseSizeGiB('0.5'), { sizeMiB: 512 });
  t.same(parseSizeGiB('1.25'), { sizeMiB: 1280 });
  for (const bad of ['0', '-1', 'big', '', '0.0001']) t.throws(() => parseSizeGiB(bad), /--size/, bad);
});

t.test('app ids are absolute, and their API paths encode each segment', async (t) => {
  t.equal(normalizeAppId('kv'), '/kv');
  t.equal(normalizeAppId('/prod/db/'), '/prod/db');
  t.equal(appPath('prod/db', 'move'), '/v1/apps/prod/db/move');
  t.throws(() => normalizeAppId('/'));
});

t.test('API URLs: a bare host:port is http, a trailing slash goes, other schemes are refused', async (t) => {
  t.same(parseApiUrl('127.0.0.1:9090'), { ok: true, url: 'http://127.0.0.1:9090' });
  t.same(parseApiUrl('https://ferry.example.com/api/'), { ok: true, url: 'https://ferry.example.com/api' });
  t.match(parseApiUrl('ftp://x'), { ok: false, problem: /not an http/ });
});
