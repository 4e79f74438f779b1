/**
 * What every command needs: a workspace (catalog, data folder, journal, runner, target) built
 * from the common options.
 */
import path from 'node:path';
import { loadCatalogFile, type LoadedCatalog } from '../core/catalog/load';
import { loadActiveCatalog, type CatalogSetup } from '../core/catalog/release/active';
import { loadSignedCatalogFile } from '../core/catalog/release/import';
import { defaultDataDir } from '../core/data-dir';
import type { HostOs } from '../core/model/host';
import { openWorkspace, type Workspace } from '../core/usecases/workspace';
import { UsageError } from './args';
import { VERSION } from './version';

/** The catalog options every command accepts. */
export interface CatalogOptions {
  catalog?: string;
  'unsigned-catalog'?: boolean;
  'data-dir'?: string;
}

/** Where the catalog state lives, from the options. */
export function catalogSetup(options: { 'data-dir'?: string }): CatalogSetup {
  return { dataDir: path.resolve(options['data-dir'] ?? defaultDataDir()), appVersion: VERSION };
}

/** The warning printed every time an unsigned catalog is used. */
export const UNSIGNED_WARNING =
  'divest: WARNING: --unsigned-catalog: using the UNSIGNED catalog file {file}. Nothing vouches for its content; ' +
  'this is for catalog development only. Receipts record it as an unsigned file.\n';

/**
 * The catalog the options name: `--catalog FILE` must be a signed release (checked as
 * `divest catalog verify` checks it) unless `--unsigned-catalog` is given (development; a warning
 * on stderr every time); otherwise the active catalog of the data folder (the newest accepted
 * release, else the built-in one).
 */
export function loadCatalog(
  options: CatalogOptions,
  err: NodeJS.WritableStream = process.stderr,
): LoadedCatalog {
  const setup = catalogSetup(options);
  if (options['unsigned-catalog']) {
    if (!options.catalog) throw new UsageError('--unsigned-catalog needs --catalog FILE');
    err.write(UNSIGNED_WARNING.replace('{file}', options.catalog));
    return loadCatalogFile(options.catalog);
  }
  return options.catalog ? loadSignedCatalogFile(options.catalog, setup) : loadActiveCatalog(setup);
}

/** Builds the workspace from the common options. */
export function makeWorkspace(
  options: CatalogOptions & {
    'host-root'?: string;
    'host-os'?: HostOs;
  },
  err: NodeJS.WritableStream = process.stderr,
): Workspace {
  const dataDir = path.resolve(options['data-dir'] ?? defaultDataDir());
  return openWorkspace({
    catalog: loadCatalog(options, err),
    dataDir,
    appVersion: VERSION,
    hostRoot: options['host-root'],
    hostOs: options['host-os'],
  });
}
