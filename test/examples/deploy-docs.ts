// The deployment commands of the docs, as data: every `gcloud` and `docker build` command in
// the `sh` blocks of a Markdown file (continuation lines joined, comments dropped, words split
// the way a shell splits them), with its flags, and the `--metadata` of an instance or
// template split into the launcher's keys.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fences } from '../docs/markdown.js';
import { REPO } from './harness.js';

/** One command of a document: its words, and where it came from for failure messages. */
export interface ShellCommand {
  readonly words: readonly string[];
  readonly where: string;
}

/** A `gcloud` command: `compute firewall-rules create` and the resource name, flags. */
export interface GcloudCommand extends ShellCommand {
  readonly verb: string;
  readonly name: string;
  flag(key: string): string | undefined;
}

// Shell words of one command line: quotes removed, `$(…)` kept inside the word, `#` at the
// start of a word ends the line. Enough for the docs' commands, not a shell.
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  let depth = 0;
  for (const c of line) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else word = (word ?? '') + c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
      continue;
    }
    if (c === '(' && word?.endsWith('$')) depth += 1;
    else if (c === ')' && depth > 0) depth -= 1;
    if (/\s/.test(c) && depth === 0) {
      if (word !== undefined) words.push(word);
      word = undefined;
      continue;
    }
    if (c === '#' && word === undefined) break;
    word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** Every command of the `sh` blocks of `doc` (a path relative to the repository). */
export function shellCommands(doc: string): ShellCommand[] {
  const out: ShellCommand[] = [];
  for (const fence of fences(readFileSync(join(REPO, doc), 'utf8'))) {
    if (fence.info !== 'sh') continue;
    const lines = fence.body.split('\n');
    for (let i = 0; i < lines.length; i += 1) {
      const start = i;
      let text = lines[i]!;
      while (text.trimEnd().endsWith('\\') && i + 1 < lines.length) {
        text = `${text.trimEnd().slice(0, -1)} ${lines[(i += 1)]!}`;
      }
      const words = shellWords(text.trim());
      if (words.length > 0) out.push({ words, where: `${doc}:${fence.line + 1 + start}` });
    }
  }
  return out;
}

/** The `gcloud` commands among `commands`, with their flags. */
export function gcloudCommands(commands: readonly ShellCommand[]): GcloudCommand[] {
  return commands
    .filter((c) => c.words[0] === 'gcloud')
    .map((c) => {
      const positional: string[] = [];
      const flags = new Map<string, string>();
      for (const w of c.words.slice(1)) {
        if (w.startsWith('--')) {
          const eq = w.indexOf('=');
          flags.set(eq < 0 ? w.slice(2) : w.slice(2, eq), eq < 0 ? 'true' : w.slice(eq + 1));
        } else if (flags.size === 0) positional.push(w);
      }
      return {
        ...c,
        verb: positional.slice(0, -1).join(' '),
        name: positional.at(-1) ?? '',
        flag: (key: string) => flags.get(key),
      };
    });
}

/** The launcher's keys in a `--metadata` value (`^~^` sets the separator, as in gcloud). */
export function metadataKeys(value: string): Map<string, string> {
  const m = /^\^(.)\^/.exec(value);
  const sep = m ? m[1]! : ',';
  const body = m ? value.slice(m[0].length) : value;
  const keys = new Map<string, string>();
  for (const pair of body.split(sep)) {
    const eq = pair.indexOf('=');
    keys.set(eq < 0 ? pair : pair.slice(0, eq), eq < 0 ? '' : pair.slice(eq + 1));
  }
  return keys;
}

/** `docker build -f FILE -t REF .` commands: the Dockerfile that builds each image name. */
export interface DockerBuild extends ShellCommand {
  readonly file: string;
  readonly tag: string;
  readonly platform: string | undefined;
}

export function dockerBuilds(commands: readonly ShellCommand[]): DockerBuild[] {
  return commands
    .filter((c) => c.words[0] === 'docker' && c.words[1] === 'build')
    .map((c) => {
      const value = (short: string, long: string): string | undefined => {
        for (let i = 2; i < c.words.length; i += 1) {
          const w = c.words[i]!;
          if (w === short || w === long) return c.words[i + 1];
          if (w.startsWith(`${long}=`)) return w.slice(long.length + 1);
        }
        return undefined;
      };
      return {
        ...c,
        file: value('-f', '--file') ?? 'Dockerfile',
        tag: value('-t', '--tag') ?? '',
        platform: value('--platform', '--platform'),
      };
    });
}
