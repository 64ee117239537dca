import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { type Zippable, zipSync } from 'fflate';

/** Folders never shipped with an app's code. */
const SKIP = new Set(['.git', '.baton', '.baton-build']);
/** A fixed time stamp keeps the zip of unchanged code byte-identical. */
const MTIME = new Date('1980-01-01T00:00:00Z');

/**
 * Zips a folder as the code package of an app, the way Lambda tooling does: everything in it,
 * node_modules included, except version control and Baton's own data folder.
 */
export async function packageDir(dir: string): Promise<Uint8Array> {
  const files: Zippable = {};
  async function walk(d: string): Promise<void> {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      if (SKIP.has(e.name)) continue;
      const path = join(d, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile())
        files[relative(dir, path).split(sep).join('/')] = [await readFile(path), { mtime: MTIME }];
    }
  }
  await walk(dir);
  return zipSync(files, { level: 1 });
}
