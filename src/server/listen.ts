import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { unzipSync } from 'fflate';
import { BatonError } from '../core/errors.ts';

/** Listens on `host:port`, resolving to the port bound; a clear error when the port is taken. */
export function listen(server: Server, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'EADDRINUSE'
          ? 'is in use'
          : e.code === 'EACCES'
            ? 'is not allowed'
            : `failed (${e.code ?? e.message})`;
      reject(new BatonError('InvalidParameterValue', `${what}: ${host}:${port} ${why}`, { cause: e }));
    });
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** The `baton.yaml` inside a deploy's zip, if it has one. */
export function readManifestFromZip(zip: Uint8Array): string | undefined {
  try {
    const files = unzipSync(zip, { filter: (f) => f.name === 'baton.yaml' });
    const file = files['baton.yaml'];
    return file ? Buffer.from(file).toString('utf8') : undefined;
  } catch {
    return undefined;
  }
}
