/**
 * Where the elevated helper (the self-contained CLI) is, in a packaged app and in development.
 *
 * Packaged: `resources/bin/divest` (`divest.exe` on Windows), put there by electron-builder's
 * `extraResources` from `out/sea/` (see electron-builder.yml). The install folder is root's or the
 * Administrators' (`/opt/Divest`, `C:\Program Files\Divest`), so the program root runs is not one
 * the user can swap. Development: the SEA in `out/sea/` when it was built, else the system's Node
 * running `out/cli/divest.cjs` (pkexec needs absolute paths; it resets PATH).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The CLI's file name inside `resources/bin`. */
export function cliFileName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'divest.exe' : 'divest';
}

/** The SEA file `npm run build:sea` writes for a platform and architecture. */
export function seaFileName(platform: NodeJS.Platform, arch: string): string {
  const os = platform === 'win32' ? 'win' : platform === 'darwin' ? 'macos' : 'linux';
  return `divest-${os}-${arch}${platform === 'win32' ? '.exe' : ''}`;
}

/** The packaged CLI's path below the app's resources folder. */
export function packagedCliPath(resourcesPath: string, platform: NodeJS.Platform): string {
  return path.join(resourcesPath, 'bin', cliFileName(platform));
}

/** Finds `name` on a PATH string, as an absolute path. */
export function onPath(
  name: string,
  pathEnv: string | undefined,
  exists: (p: string) => boolean = existsSync,
): string | null {
  for (const dir of (pathEnv ?? '').split(path.delimiter)) {
    if (!dir || !path.isAbsolute(dir)) continue;
    const p = path.join(dir, name);
    if (exists(p)) return p;
  }
  return null;
}

/** The helper program's argv prefix, or null when there is none (the UI then says so). */
export function helperProgram(o: {
  packaged: boolean;
  resourcesPath: string;
  appPath: string;
  platform: NodeJS.Platform;
  arch: string;
  pathEnv: string | undefined;
  exists?: (p: string) => boolean;
}): string[] | null {
  const exists = o.exists ?? existsSync;
  if (o.packaged) {
    const cli = packagedCliPath(o.resourcesPath, o.platform);
    return exists(cli) ? [cli] : null;
  }
  const sea = path.join(o.appPath, 'out', 'sea', seaFileName(o.platform, o.arch));
  if (exists(sea)) return [sea];
  const node = onPath(o.platform === 'win32' ? 'node.exe' : 'node', o.pathEnv, exists);
  const bundle = path.join(o.appPath, 'out', 'cli', 'divest.cjs');
  return node && exists(bundle) ? [node, bundle] : null;
}
