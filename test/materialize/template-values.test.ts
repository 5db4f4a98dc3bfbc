// What a secret's bytes may do once rendered: raw in a config template, no line break or
// other control character (TEEINIT_TEMPLATE_VALUE_UNSAFE, naming template and secret, never
// the value, nothing written); in argv/env, anything but NUL. `| json`, `| base64` and
// `| hex` render any bytes as printable ASCII, in config templates, argv and env alike.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Material } from '../../src/keys/index.js';
import {
  assertNoSecret,
  capture,
  config,
  material,
  materializeAsRun,
  proc,
  PSK,
  rejectsWith,
  SECRETS,
  where,
} from './fixture.js';

const withSecret = (name: string, bytes: Buffer): Material => ({
  ...material,
  secrets: new Map([...material.secrets, [name, bytes]]),
});

describe('materialize: secret values in templates', () => {
  test('a raw PEM (line breaks) in a config template is refused, nothing written', async () => {
    const dir = join(where.base, 'tv-raw-pem');
    const { logger, text } = capture();
    const cfg = config({
      dir,
      templates: { 'app.conf': { content: 'ca={{ value ca }}\n', allowValue: true } },
    });
    const e = await rejectsWith(
      materializeAsRun(cfg, material, {}, logger),
      'TEEINIT_TEMPLATE_VALUE_UNSAFE',
      'templates.app.conf: {{ value ca }}: secret "ca" holds a line break',
    );
    assert.match(e.hint, /\| json/);
    await assert.rejects(stat(dir), 'nothing was created');
    assertNoSecret(text() + e.message);
  });

  test('filters render any bytes as one printable line', async () => {
    const dir = join(where.base, 'tv-filters');
    const binary = Buffer.from([0x00, 0x0a, 0xff, 0x80, 0x22]);
    const cfg = config({
      dir,
      extraSecrets: ['bin'],
      templates: {
        'app.conf': {
          content: [
            'json={{ value ca | json }}',
            'b64={{ value bin | base64 }}',
            'hex={{ value bin|hex }}',
            'psk={{ value psk }} {{ value psk | base64 }}',
            'dir={{ file ca | json }}',
            '',
          ].join('\n'),
          allowValue: true,
        },
      },
    });
    const m = await materializeAsRun(cfg, withSecret('bin', binary), {}, capture().logger);
    try {
      const lines = (await readFile(join(dir, 'app.conf'), 'utf8')).split('\n');
      assert.equal(lines[0], `json=${JSON.stringify(SECRETS.ca)}`);
      assert.equal(lines[1], `b64=${binary.toString('base64')}`);
      assert.equal(lines[2], `hex=${binary.toString('hex')}`);
      assert.equal(lines[3], `psk=${PSK.toString('hex')} ${PSK.toString('base64')}`);
      assert.equal(lines[4], `dir=${JSON.stringify(join(dir, 'ca'))}`);
      assert.equal(lines.length, 6);
    } finally {
      await m.cleanup();
    }
  });

  test('| json escapes what JSON leaves raw but a config reader may break on', async () => {
    const dir = join(where.base, 'tv-json-escapes');
    const cfg = config({
      dir,
      extraSecrets: ['odd'],
      templates: { 'app.conf': { content: '{{ value odd | json }}', allowValue: true } },
    });
    const odd = 'a\u2028b\u2029c\u0085d\u007fe"f\\g\th';
    const m = await materializeAsRun(
      cfg,
      withSecret('odd', Buffer.from(odd)),
      {},
      capture().logger,
    );
    try {
      const rendered = await readFile(join(dir, 'app.conf'), 'utf8');
      assert.equal(rendered, '"a\\u2028b\\u2029c\\u0085d\\u007fe\\"f\\\\g\\th"');
      assert.equal(JSON.parse(rendered), odd);
    } finally {
      await m.cleanup();
    }
  });

  test('| pem lets PEM blocks through, and nothing else', async () => {
    const dir = join(where.base, 'tv-pem');
    const cfg = config({
      dir,
      extraSecrets: ['odd'],
      templates: {
        'server.pem': {
          content: '{{ value server-cert | pem }}{{ value server-key | pem }}',
          allowValue: true,
        },
      },
    });
    const m = await materializeAsRun(cfg, material, {}, capture().logger);
    try {
      const pem = await readFile(join(dir, 'server.pem'), 'utf8');
      assert.equal(pem, SECRETS['server-cert'] + SECRETS['server-key']);
    } finally {
      await m.cleanup();
    }
    const body = SECRETS['server-key'].split('\n')[1]!;
    for (const [what, value] of [
      ['plain text', 'not-a-pem-at-all'],
      ['a line after the block', `${SECRETS['server-key']}maliciousdirective yes\n`],
      ['a line inside the block', SECRETS['server-key'].replace(body, `${body}\nmalicious yes`)],
      ['a header line', SECRETS['server-key'].replace(body, `Proc-Type: 4,ENCRYPTED\n${body}`)],
      ['an unclosed block', `-----BEGIN PRIVATE KEY-----\n${body}\n`],
      ['mismatched labels', `-----BEGIN PRIVATE KEY-----\n${body}\n-----END CERTIFICATE-----\n`],
    ] as const) {
      const c = config({
        dir: join(where.base, `tv-pem-bad-${what.replaceAll(' ', '-')}`),
        extraSecrets: ['odd'],
        templates: { 'x.pem': { content: '{{ value odd | pem }}', allowValue: true } },
      });
      const e = await rejectsWith(
        materializeAsRun(c, withSecret('odd', Buffer.from(value)), {}, capture().logger),
        'TEEINIT_TEMPLATE_VALUE_UNSAFE',
        'templates.x.pem: {{ value odd | pem }}: secret "odd" is not PEM',
      );
      assert.ok(!e.message.includes('malicious'), what);
    }
  });

  test('argv and env take line breaks, refuse NUL by name, and take filters', async () => {
    const dir = join(where.base, 'tv-args');
    const p = proc('app', {
      run: ['app', '{{ value ca }}', '{{ value nul | base64 }}'],
      env: { CA: '{{ value ca }}', NUL: '{{ value nul | hex }}' },
      allowValue: true,
    });
    const cfg = config({ dir, processes: [p], extraSecrets: ['nul'] });
    const nul = Buffer.from('before\0after-the-nul');
    const m = await materializeAsRun(cfg, withSecret('nul', nul), {}, capture().logger);
    try {
      const { argv, env } = m.renderArgs(cfg.processes[0]!);
      assert.equal(argv[1], SECRETS.ca);
      assert.equal(argv[2], nul.toString('base64'));
      assert.equal(env.CA, SECRETS.ca);
      assert.equal(env.NUL, nul.toString('hex'));
    } finally {
      await m.cleanup();
    }
    for (const [key, bad] of [
      ['run', proc('app', { run: ['app', '{{ value nul }}'], allowValue: true })],
      ['env', proc('app', { env: { N: '{{ value nul }}' }, allowValue: true })],
    ] as const) {
      const c = config({
        dir: join(where.base, `tv-nul-${key}`),
        processes: [bad],
        extraSecrets: ['nul'],
      });
      await rejectsWith(
        materializeAsRun(c, withSecret('nul', nul), {}, capture().logger),
        'TEEINIT_TEMPLATE_VALUE_UNSAFE',
        'secret "nul" holds a NUL byte',
      );
    }
  });

  test('a refresh bringing a line break is refused before any write', async () => {
    const dir = join(where.base, 'tv-update');
    const cfg = config({
      dir,
      templates: { 'app.conf': { content: 'pw={{ value password }}\n', allowValue: true } },
    });
    const m = await materializeAsRun(cfg, material, {}, capture().logger);
    try {
      const next = withSecret('password', Buffer.from('pw-two\ninjected yes'));
      await rejectsWith(
        m.update(next),
        'TEEINIT_TEMPLATE_VALUE_UNSAFE',
        'templates.app.conf: {{ value password }}',
      );
      assert.equal(await readFile(join(dir, 'app.conf'), 'utf8'), `pw=${SECRETS.password}\n`);
    } finally {
      await m.cleanup();
    }
  });
});
