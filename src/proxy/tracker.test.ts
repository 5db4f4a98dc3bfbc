import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Socket } from 'node:net';
import type { Relay } from './relay.js';
import { StatsCounter } from './stats.js';
import { ConnectionTracker } from './tracker.js';

test(
  'tracker: a relay attached after its raw socket closed neither counts nor leaks',
  { timeout: 5000 },
  async () => {
    const stats = new StatsCounter('p', 'psk-server');
    const tracker = new ConnectionTracker(stats);
    const raw = new Socket();
    const entry = tracker.accept(raw);
    assert.equal(stats.open, 1);
    raw.destroy();
    await once(raw, 'close');
    assert.equal(stats.open, 0);
    const destroyed: string[] = [];
    const relay = { destroy: (reason: string) => destroyed.push(reason) } as unknown as Relay;
    tracker.attach(raw, entry, relay);
    tracker.settle(raw, entry); // the relay's own completion
    assert.deepEqual(destroyed, ['peer-closed']);
    assert.equal(stats.open, 0, 'open never goes below the connections really open');
    assert.equal(tracker.size, 0);
  },
);
