// The two collaborators of the emulator's default world (emulator/default-world.ts) and the
// public demo PSK shares (docs/psk.md), for tests that name them.

/** alice's and bob's projects in the emulator's default world. */
export const ALICE = { project: 'alice-proj', number: '111111111111' } as const;
export const BOB = { project: 'bob-proj', number: '222222222222' } as const;

/**
 * The public demo vectors of docs/psk.md: hex text, one share a collaborator. Published, so
 * a test that uses them checks the derivation, never the secrecy of the key.
 */
export const DEMO_SHARES = {
  alice: '2c6f63f8c0f53a565db041b91c0a95add8913fc102670589db3982228dbfed90',
  bob: 'b15244faf36e5e4b178d3891701d245f2e45e881d913b6c35c0ea0ac14224cc2',
} as const;
