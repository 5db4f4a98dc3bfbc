import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TeeinitError } from '../errors/index.js';
import { parseTemplate, type TemplatePart } from './template-syntax.js';

describe('template syntax', { timeout: 10_000 }, () => {
  const valid: [string, TemplatePart[]][] = [
    ['plain', [{ kind: 'text', text: 'plain' }]],
    ['', []],
    ['{{ file ca }}', [{ kind: 'file', name: 'ca' }]],
    ['{{file ca}}', [{ kind: 'file', name: 'ca' }]],
    [
      '--key={{  value server-key  }}!',
      [
        { kind: 'text', text: '--key=' },
        { kind: 'value', name: 'server-key' },
        { kind: 'text', text: '!' },
      ],
    ],
    [
      '{{ env MAX_MEM }}{{ file a.b }}',
      [
        { kind: 'env', name: 'MAX_MEM' },
        { kind: 'file', name: 'a.b' },
      ],
    ],
    ['{{ value ca | json }}', [{ kind: 'value', name: 'ca', filter: 'json' }]],
    ['{{value ca|base64}}', [{ kind: 'value', name: 'ca', filter: 'base64' }]],
    ['{{ env E |  hex }}', [{ kind: 'env', name: 'E', filter: 'hex' }]],
    ['{{{{ file ca }}', [{ kind: 'text', text: '{{ file ca }}' }]],
    ['a }} b', [{ kind: 'text', text: 'a }} b' }]],
    [
      'x{{{{y{{ file ca }}',
      [
        { kind: 'text', text: 'x{{y' },
        { kind: 'file', name: 'ca' },
      ],
    ],
  ];
  for (const [text, parts] of valid) {
    test(`parses ${JSON.stringify(text)}`, () => assert.deepEqual(parseTemplate(text, 'k'), parts));
  }

  const invalid: [string, string][] = [
    ['{{ file ca', 'unclosed'],
    ['{{ secret ca }}', 'unknown directive'],
    ['{{ file }}', 'unknown directive'],
    ['{{ file a b }}', 'unknown directive'],
    ['{{ .Values.x }}', 'unknown directive'],
    ['{{}}', 'unknown directive'],
    ['{{ value ca | yaml }}', 'unknown filter'],
    ['{{ value ca | json | hex }}', 'unknown directive'],
    ['{{ value ca | }}', 'unknown directive'],
  ];
  for (const [text, fragment] of invalid) {
    test(`rejects ${JSON.stringify(text)} naming where`, () => {
      assert.throws(
        () => parseTemplate(text, 'processes[2].run[1]'),
        (e: unknown) =>
          e instanceof TeeinitError &&
          e.code === 'TEEINIT_TEMPLATE_INVALID' &&
          e.message.startsWith('processes[2].run[1]: ') &&
          e.message.includes(fragment),
      );
    });
  }
});
