// Table-driven checks of how connections are grouped into sources, and of the counter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SourceLimiter, sourceKey } from './source-limit.js';

test('sourceKey: IPv4 per address, IPv4-mapped as IPv4, IPv6 per /64', { timeout: 5000 }, () => {
  const cases: [string | undefined, string | undefined][] = [
    ['127.0.0.2', '127.0.0.2'],
    ['::ffff:127.0.0.2', '127.0.0.2'],
    ['::FFFF:10.1.2.3', '10.1.2.3'],
    ['2001:db8:1:2:aaaa::1', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8:1:3::1', '2001:db8:1:3::/64'],
    ['2001:0DB8:0001:0002::5', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::10.0.0.1', '64:ff9b:0:0::/64'],
    [undefined, undefined],
  ];
  for (const [address, want] of cases) assert.equal(sourceKey(address), want, String(address));
});

test(
  'SourceLimiter: a source holds at most `limit` slots, freed one by one',
  { timeout: 5000 },
  () => {
    const limiter = new SourceLimiter(2);
    assert.equal(limiter.enter('a'), true);
    assert.equal(limiter.enter('a'), true);
    assert.equal(limiter.enter('a'), false);
    assert.equal(limiter.enter('b'), true, 'other sources are not affected');
    limiter.leave('a');
    assert.equal(limiter.held('a'), 1);
    assert.equal(limiter.enter('a'), true);
    limiter.leave('a');
    limiter.leave('a');
    assert.equal(limiter.held('a'), 0);
  },
);
