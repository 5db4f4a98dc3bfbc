// Key paths of the published JSON Schema, spelled as docs/configuration.md spells them:
// `files.dir`, a map of objects as `collaborators.NAME`, an array of objects as
// `proxies[]`, so `proxies[].limits.handshakeTimeout`. Maps and arrays of plain values
// (`processes[].env`, `keys.NAME.shares`) are single keys. The same walk reads a YAML
// example and says which key paths it shows and which keys the schema does not know.

/** The parts of a JSON Schema node this walk looks at. */
export interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: SchemaNode | boolean;
  readonly items?: SchemaNode;
}

/** One documented-or-not key: its full path, its parent's path, and its spelling there. */
export interface KeyPath {
  readonly path: string;
  readonly parent: string;
  readonly rel: string;
  /** Has keys of its own (object, map of objects, array of objects). */
  readonly container: boolean;
}

type Shape =
  | { kind: 'object'; node: SchemaNode }
  | { kind: 'map'; node: SchemaNode }
  | { kind: 'array'; node: SchemaNode }
  | { kind: 'leaf' };

// What a schema node holds: keys, named entries with keys, items with keys, or a value.
function shapeOf(node: SchemaNode): Shape {
  if (node.properties) return { kind: 'object', node };
  const ap = node.additionalProperties;
  if (typeof ap === 'object' && ap.properties) return { kind: 'map', node: ap };
  if (node.items?.properties) return { kind: 'array', node: node.items };
  return { kind: 'leaf' };
}

// How a key is spelled, given its shape: `entries.NAME`, `proxies[]`, or just the key.
function spell(key: string, shape: Shape): string {
  if (shape.kind === 'map') return `${key}.NAME`;
  if (shape.kind === 'array') return `${key}[]`;
  return key;
}

function join(parent: string, rel: string): string {
  return parent === '' ? rel : `${parent}.${rel}`;
}

// Every key path of the schema, parents before their children.
export function keyPaths(root: SchemaNode): KeyPath[] {
  const out: KeyPath[] = [];
  const visit = (node: SchemaNode, parent: string): void => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const shape = shapeOf(child);
      const rel = spell(key, shape);
      const path = join(parent, rel);
      out.push({ path, parent, rel, container: shape.kind !== 'leaf' });
      if (shape.kind !== 'leaf') visit(shape.node, path);
    }
  };
  visit(root, '');
  return out;
}

/** What one example shows: the key paths it uses, and keys the schema would reject. */
export interface ExampleKeys {
  readonly shown: Set<string>;
  readonly unknown: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Walks a parsed example (written from the top level of the config) along the schema.
export function exampleKeys(root: SchemaNode, example: unknown): ExampleKeys {
  const shown = new Set<string>();
  const unknown: string[] = [];
  const visitObject = (node: SchemaNode, value: unknown, parent: string): void => {
    if (!isRecord(value)) return;
    for (const [key, v] of Object.entries(value)) {
      const child = node.properties?.[key];
      if (child === undefined) {
        unknown.push(join(parent, key));
        continue;
      }
      const shape = shapeOf(child);
      const path = join(parent, spell(key, shape));
      shown.add(path);
      if (shape.kind === 'object') visitObject(shape.node, v, path);
      if (shape.kind === 'map' && isRecord(v)) {
        for (const entry of Object.values(v)) visitObject(shape.node, entry, path);
      }
      if (shape.kind === 'array' && Array.isArray(v)) {
        for (const item of v) visitObject(shape.node, item, path);
      }
    }
  };
  visitObject(root, example, '');
  return { shown, unknown };
}
