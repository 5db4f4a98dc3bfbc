// Materialize: tmpfs secret files (atomic, mode and owner on every write), templates for
// argv/env/config files, and SecretFiles, which owns the written files until cleanup.
export { materialize, SecretFiles, type MaterializeOptions } from './secret-files.js';
export { renderTemplate, valueOf, type RenderContext } from './render.js';
export {
  assertFileName,
  removeTempFilesSync,
  TEMP_PREFIX,
  writeSecretFile,
} from './secret-writer.js';
