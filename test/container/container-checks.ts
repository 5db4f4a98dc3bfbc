// Assertions the container tests share: the service listens inside the namespace (failing
// fast with the output if the container exits first), the process tree is tini (PID 1) →
// teeinit → backend, the secrets tmpfs looks like tee-mount's, and shutdown empties it.
import assert from 'node:assert/strict';
import { pollUntil } from '../helpers/poll.js';
import { childPids, commandLine, isAlive } from '../helpers/procfs.js';
import { innerPid, stopContainer, type ContainerRun } from './container-run.js';
import { SECRETS_DIR } from './fixture.js';
import { mountOf, type ContainerNamespace } from './namespace.js';

/** Host pids of the container's process tree. */
export interface ContainerTree {
  readonly tini: number;
  readonly teeinit: number;
  readonly backend: number;
}

/** Waits until `port` listens inside the namespace while the container runs. */
export async function waitListening(
  run: ContainerRun,
  ns: ContainerNamespace,
  port: number,
): Promise<void> {
  await pollUntil(
    `port ${port} to listen inside the namespace`,
    () => {
      if (!run.running()) throw new Error(`the container exited before serving:\n${run.output()}`);
      return ns.listening(port);
    },
    45_000,
  );
}

/** tini is PID 1 of its namespace, teeinit its child, the backend teeinit's child. */
export async function containerTree(
  run: ContainerRun,
  backendNeedle: string,
): Promise<ContainerTree> {
  const tini = await run.tini();
  assert.equal(innerPid(tini), 1, 'tini is PID 1 inside the PID namespace');
  assert.match(commandLine(tini) ?? '', /^\/usr\/bin\/tini -- /);
  const teeinit = await pollUntil('teeinit under tini', () => childPids(tini)[0], 20_000);
  assert.match(commandLine(teeinit) ?? '', /opt\/teeinit\/teeinit\.mjs run -c /);
  const backend = await pollUntil(
    `a backend running ${backendNeedle}`,
    () => childPids(teeinit).find((p) => commandLine(p)?.includes(backendNeedle)),
    20_000,
  );
  return { tini, teeinit, backend };
}

/** /run/secrets as teeinit sees it: a tmpfs mounted nosuid,nodev,noexec with a size. */
export function assertTeeMount(teeinit: number): void {
  const mount = mountOf(teeinit, SECRETS_DIR);
  assert.equal(mount.fsType, 'tmpfs');
  for (const option of ['nosuid', 'nodev', 'noexec']) {
    assert.ok(mount.options.includes(option), `${SECRETS_DIR} mounted ${option}`);
  }
  assert.ok(
    mount.options.some((o) => o.startsWith('size=')),
    `${SECRETS_DIR} has a size limit`,
  );
}

/** Files in /run/secrets inside the container's mount namespace. */
export async function secretsListing(ns: ContainerNamespace): Promise<string[]> {
  const r = await ns.exec(['ls', '-A', SECRETS_DIR], { mount: true });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .sort();
}

/** Only the loopback interface exists in the namespace, and it is up. */
export async function assertLoopbackOnly(ns: ContainerNamespace): Promise<void> {
  const r = await ns.exec(['ip', '-o', 'link', 'show']);
  assert.equal(r.code, 0, r.stderr);
  const links = r.stdout.split('\n').filter((l) => l.length > 0);
  assert.equal(links.length, 1, r.stdout);
  assert.match(links[0] ?? '', /^1: lo: <LOOPBACK,UP/);
}

/** SIGTERM to tini: the exit code comes out, the tree is gone, /run/secrets is empty. */
export async function expectContainerShutdown(
  run: ContainerRun,
  ns: ContainerNamespace,
  tree: ContainerTree,
  expectedCode: number,
): Promise<void> {
  const code = await stopContainer(run);
  assert.equal(code, expectedCode, `container exit code\n${run.output()}`);
  for (const pid of [tree.backend, tree.teeinit, tree.tini]) {
    await pollUntil(`pid ${pid} to be gone`, () => !isAlive(pid), 5_000);
  }
  assert.deepEqual(await secretsListing(ns), [], `${SECRETS_DIR} emptied on exit`);
}
