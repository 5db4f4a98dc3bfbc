// The config every stage reads is immutable: a stage cannot change what another sees.

/** Freezes an object graph of plain objects and arrays in place and returns it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
