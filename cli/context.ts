/**
 * What every command needs: a workspace (catalog, data folder, journal, runner, target) built
 * from the common options.
 */
import path from 'node:path';
import { loadBuiltInCatalog, loadCatalogFile, type LoadedCatalog } from '../core/catalog/load';
import { defaultDataDir } from '../core/data-dir';
import type { HostOs } from '../core/model/host';
import { openWorkspace, type Workspace } from '../core/usecases/workspace';
import { VERSION } from './version';

/** Loads the catalog the options name (built-in by default). */
export function loadCatalog(file: string | undefined): LoadedCatalog {
  return file ? loadCatalogFile(file) : loadBuiltInCatalog();
}

/** Builds the workspace from the common options. */
export function makeWorkspace(options: {
  catalog?: string;
  'data-dir'?: string;
  'host-root'?: string;
  'host-os'?: HostOs;
}): Workspace {
  return openWorkspace({
    catalog: loadCatalog(options.catalog),
    dataDir: path.resolve(options['data-dir'] ?? defaultDataDir()),
    appVersion: VERSION,
    hostRoot: options['host-root'],
    hostOs: options['host-os'],
  });
}
