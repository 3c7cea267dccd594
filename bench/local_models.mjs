// The peer's benchmark (../shared/bench/lib.mjs) loads models from a local
// folder (transformers.js env.localModelPath, no HTTP, no checksums), so
// hubwasm's like-for-like cold load reads the same files from a local folder
// too: a temporary <root>/<org>/<name> linking to <models>/<org>--<name>.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** { root, id }: env.localModelPath and the model id that reads `folder` of `modelsDir`. */
export function localModelFolder(modelsDir, folder) {
  const [org, name] = folder.split('--');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hubwasm-bench-local-'));
  fs.mkdirSync(path.join(root, org));
  fs.symlinkSync(path.join(modelsDir, folder), path.join(root, org, name));
  process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  return { root: `${root}/`, id: `${org}/${name}` };
}
