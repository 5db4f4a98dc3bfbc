// Materialize: tmpfs secret files (atomic, mode and owner on every write), templates for
// argv/env/config files, cleanup.
export { materialize, type Materialized, type MaterializeOptions } from './materialize.js';
export { renderTemplate, valueOf, type RenderContext } from './render.js';
export {
  assertFileName,
  removeTempFilesSync,
  TEMP_PREFIX,
  writeSecretFile,
} from './secret-writer.js';
