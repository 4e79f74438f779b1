/**
 * `node:sea` when Divest runs as a single executable (scripts/build-sea.mjs), else undefined.
 *
 * Read with `process.getBuiltinModule` (Node 20.16+): inside a single executable the main script
 * has no dynamic `import()`, and a static import would fail on a Node without `node:sea`.
 */
import type * as Sea from 'node:sea';

export function seaApi(): typeof Sea | undefined {
  try {
    const sea = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:sea') as
      typeof Sea | undefined;
    return sea?.isSea() ? sea : undefined;
  } catch {
    return undefined;
  }
}
