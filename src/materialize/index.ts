// Materialize: tmpfs secret files (atomic, mode and owner on every write), templates for
// argv/env/config files, cleanup.
export {
  materialize,
  othersNeedAccess,
  type Materialized,
  type MaterializeOptions,
} from './materialize.js';
export { renderTemplate, valueOf, type RenderContext } from './render.js';
export {
  assertFileName,
  removeTempFilesSync,
  TEMP_PREFIX,
  writeSecretFile,
} from './secret-writer.js';
export {
  assertTmpfs,
  ensureSecretsDir,
  secretsDirMode,
  secureSecretsDir,
  TMPFS_MAGIC,
} from './tmpfs.js';
export {
  resolveGroup,
  resolveOwner,
  resolveUser,
  type AccountFiles,
  type ResolvedUser,
} from './users.js';
