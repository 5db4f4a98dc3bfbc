// Node's inspector lets whoever connects to it run code inside teeinit: it must be closed
// when `run` starts and must not open later. Refused: an inspector already open (a
// --inspect flag, or a SIGUSR1 that arrived before teeinit's listener), and, on a Node that
// has `--disable-sigusr1`, starting without it.
import { url as inspectorUrl } from 'node:inspector';
import { TeeinitError } from '../errors/index.js';
import { canDisableSigusr1, sigusr1Disabled } from './node-flags.js';

/** Throws TEEINIT_INSPECTOR_REACHABLE when the inspector is open or a signal can open it. */
export function checkInspector(): void {
  if (inspectorUrl() !== undefined) {
    throw new TeeinitError(
      'TEEINIT_INSPECTOR_REACHABLE',
      "Node's inspector is open: any local process could run code inside teeinit.",
      { fields: { reason: 'open' } },
    );
  }
  if (canDisableSigusr1() && !sigusr1Disabled()) {
    throw new TeeinitError(
      'TEEINIT_INSPECTOR_REACHABLE',
      `Node ${process.version} was started without --disable-sigusr1: a SIGUSR1 arriving before teeinit's own handler would open the inspector.`,
      { fields: { reason: 'sigusr1' } },
    );
  }
}
