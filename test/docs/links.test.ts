// Every relative link in README.md, docs/*.md and examples/**/README.md points at a file or
// directory that exists, and a `#anchor` into a Markdown file at one of its headings
// (GitHub's anchors: lowercase, punctuation dropped, spaces as `-`).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { anchors, githubSlug } from './markdown.js';
import { relativeLinks } from './md-links.js';

// dist/test/docs/ → repository root.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

// README.md, docs/*.md, and every README.md under examples/.
function documents(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((n) => n.endsWith('.md'))
    .map((n) => `docs/${n}`);
  const examples: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(ROOT, dir)).sort()) {
      const rel = `${dir}/${name}`;
      if (statSync(join(ROOT, rel)).isDirectory()) walk(rel);
      else if (name === 'README.md') examples.push(rel);
    }
  };
  walk('examples');
  return ['README.md', ...docs.sort(), ...examples];
}

const anchorCache = new Map<string, Set<string>>();
function anchorsOf(file: string): Set<string> {
  let a = anchorCache.get(file);
  if (!a) {
    a = anchors(readFileSync(join(ROOT, file), 'utf8'));
    anchorCache.set(file, a);
  }
  return a;
}

// What is wrong with each link of `doc`, as `doc:line: (target) problem`.
function brokenLinks(doc: string): string[] {
  const problems: string[] = [];
  for (const link of relativeLinks(readFileSync(join(ROOT, doc), 'utf8'))) {
    const where = `${doc}:${link.line}: (${link.raw})`;
    const target = link.path === '' ? doc : relative(ROOT, join(ROOT, dirname(doc), link.path));
    if (link.path.startsWith('/') || target.startsWith('..')) {
      problems.push(`${where} leaves the repository; use a path relative to ${doc}`);
      continue;
    }
    if (!existsSync(join(ROOT, target))) {
      problems.push(`${where} ${target} does not exist`);
      continue;
    }
    if (link.anchor === undefined || link.anchor === '' || !target.endsWith('.md')) continue;
    if (!anchorsOf(target).has(link.anchor)) {
      problems.push(`${where} ${target} has no heading with anchor #${link.anchor}`);
    }
  }
  return problems;
}

describe('relative links in the docs resolve', { timeout: 10_000 }, () => {
  const docs = documents();

  test('the documents are found', { timeout: 5_000 }, () => {
    for (const d of ['README.md', 'docs/configuration.md', 'examples/redis/README.md']) {
      assert.ok(docs.includes(d), d);
    }
  });

  for (const doc of docs) {
    test(doc, { timeout: 5_000 }, () => {
      const problems = brokenLinks(doc);
      assert.deepEqual(problems, [], `broken links:\n${problems.join('\n')}`);
    });
  }
});

describe('link and anchor parsing', { timeout: 10_000 }, () => {
  test('GitHub anchors of headings', { timeout: 5_000 }, () => {
    const cases: [string, string][] = [
      ['2. Health check and firewall', '2-health-check-and-firewall'],
      ['TEEINIT_CONFIG_INVALID', 'teeinit_config_invalid'],
      ['`proxies[]`', 'proxies'],
      ['`collaborators.NAME`', 'collaboratorsname'],
      ['Overrides and the trust model', 'overrides-and-the-trust-model'],
      ['Stats & logs (JSON)', 'stats--logs-json'],
      ['[Linked](x.md) heading', 'linked-heading'],
    ];
    for (const [heading, slug] of cases) assert.equal(githubSlug(heading), slug, heading);
    assert.deepEqual(
      [...anchors('# A\n## A\n```\n# not a heading\n```\n### A\n<a name="legacy"></a>\n')],
      ['legacy', 'a', 'a-1', 'a-2'],
    );
  });

  test('links: multi-line text, anchors, code ignored, URLs skipped', { timeout: 5_000 }, () => {
    const md = [
      'See [the\nconfig](docs/configuration.md#keys) and [errors](errors.md).',
      '`[not](a-link.md)` ![img](img/x.png "title") [web](https://example.com) [top](#a)',
      '```',
      '[nor](this.md)',
      '```',
      '[ref]: ../docs/psk.md#why',
    ].join('\n');
    const got = relativeLinks(md).map((l) => [l.line, l.path, l.anchor]);
    assert.deepEqual(got, [
      [2, 'docs/configuration.md', 'keys'],
      [2, 'errors.md', undefined],
      [3, 'img/x.png', undefined],
      [3, '', 'a'],
      [7, '../docs/psk.md', 'why'],
    ]);
  });
});
