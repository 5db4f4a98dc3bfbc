// Placeholder until the commands land.
export function main(_argv: readonly string[]): Promise<number> {
  return Promise.resolve(0);
}
