import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { build } from 'esbuild';
import { unzipSync } from 'fflate';
import { BatonError } from '../core/errors.ts';
import { parseHandler } from '../core/function-spec.ts';
import { limits } from '../core/limits.ts';

/** Lambda's Node.js runtime looks for these, in this order; Baton adds TypeScript. */
const EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts'] as const;
/** Where bundled TypeScript handlers go, inside the code folder. */
const BUILD_DIR = '.baton-build';

/**
 * Function code, stored by content hash: `<data>/code/<sha256>/` holds the unpacked package.
 * Identical code is stored once, and a stored folder never changes after it is written (apart
 * from bundles added under `.baton-build/`), so instances of any revision can keep using it.
 */
export class CodeStore {
  constructor(private readonly root: string) {}

  dir(sha256: string): string {
    return join(this.root, sha256);
  }

  /** Unpacks a zip into the store; returns its content hash. */
  async putZip(zip: Uint8Array): Promise<{ sha256: string; size: number }> {
    if (zip.length > limits.codeZipBytes)
      throw new BatonError(
        'RequestTooLarge',
        `code package is over ${limits.codeZipBytes} bytes (${zip.length})`,
      );
    let files: Record<string, Uint8Array>;
    let unpacked = 0;
    try {
      files = unzipSync(zip, {
        filter: (f) => {
          unpacked += f.originalSize;
          if (unpacked > limits.codeUnzippedBytes)
            throw new BatonError(
              'RequestTooLarge',
              `unzipped code is over ${limits.codeUnzippedBytes} bytes`,
            );
          return !f.name.endsWith('/');
        },
      });
    } catch (e) {
      if (e instanceof BatonError) throw e;
      throw new BatonError(
        'InvalidParameterValue',
        `Could not unzip uploaded file. Please check your file, then try to upload again. (${(e as Error).message})`,
        {
          cause: e,
        },
      );
    }
    const names = Object.keys(files).sort();
    const hash = createHash('sha256');
    for (const name of names) {
      const clean = normalize(name);
      if (clean.startsWith('..') || clean.startsWith('/') || clean.includes('\0'))
        throw new BatonError('InvalidRequestContent', `code package has an unsafe path: ${name}`);
      hash.update(`${clean}\0${files[name]!.length}\0`);
      hash.update(files[name]!);
    }
    const sha256 = hash.digest('hex');
    const target = this.dir(sha256);
    if (!existsSync(target)) {
      const tmp = join(this.root, `.tmp-${randomBytes(6).toString('hex')}`);
      for (const name of names) {
        const path = join(tmp, normalize(name));
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, files[name]!);
      }
      await mkdir(tmp, { recursive: true });
      try {
        await rename(tmp, target);
      } catch (e) {
        // Another deploy stored the same code first: theirs is identical.
        await rm(tmp, { recursive: true, force: true });
        if (!existsSync(target)) throw e;
      }
    }
    return { sha256, size: zip.length };
  }

  /**
   * Finds the module file for a handler, relative to the code root, as Lambda's Node.js runtime
   * would; TypeScript is bundled with esbuild into `.baton-build/`. Returns null when no file
   * matches (invocations then fail with Runtime.ImportModuleError, as on Lambda).
   */
  async resolveEntry(sha256: string, handler: string): Promise<string | null> {
    const parsed = parseHandler(handler);
    if (!parsed) return null;
    const root = this.dir(sha256);
    for (const ext of EXTENSIONS) {
      const rel = parsed.module + ext;
      if (!existsSync(join(root, rel))) continue;
      if (ext !== '.ts') return rel;
      const out = `${BUILD_DIR}/${parsed.module}.mjs`;
      if (!existsSync(join(root, out))) await this.bundle(join(root, rel), join(root, out));
      return out;
    }
    return null;
  }

  private async bundle(input: string, output: string): Promise<void> {
    const tmp = `${output}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await build({
        entryPoints: [input],
        outfile: tmp,
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'esm',
        packages: 'external',
        sourcemap: 'inline',
        logLevel: 'silent',
      });
    } catch (e) {
      const errors =
        (e as { errors?: { text: string; location?: { file: string; line: number } }[] }).errors ?? [];
      const first = errors[0];
      const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
      throw new BatonError(
        'InvalidParameterValue',
        `TypeScript build failed: ${first?.text ?? String(e)}${where}`,
        {
          cause: e,
        },
      );
    }
    await rename(tmp, output);
  }
}
