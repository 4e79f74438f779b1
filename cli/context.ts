/**
 * What every command needs: the catalog, the data folder, the journal, the runner.
 */
import path from 'node:path';
import { loadBuiltInCatalog, loadCatalogFile, type LoadedCatalog } from '../core/catalog/load';
import { defaultDataDir } from '../core/data-dir';
import type { HostOs } from '../core/host/inventory';
import { NodeCommandRunner } from '../core/host/runner';
import { journalPath, openJournal, type Journal } from '../core/journal/journal';
import type { SessionOptions } from '../core/remove/session';
import { VERSION } from './version';

export interface CliContext {
  catalog: LoadedCatalog;
  dataDir: string;
  journal: Journal;
  runner: NodeCommandRunner;
  session: (extra?: Partial<SessionOptions>) => SessionOptions;
}

/** Loads the catalog the options name (built-in by default). */
export function loadCatalog(file: string | undefined): LoadedCatalog {
  return file ? loadCatalogFile(file) : loadBuiltInCatalog();
}

/** Builds the context from the common options. */
export function makeContext(options: {
  catalog?: string;
  'data-dir'?: string;
  'host-root'?: string;
  'host-os'?: HostOs;
}): CliContext {
  const catalog = loadCatalog(options.catalog);
  const dataDir = path.resolve(options['data-dir'] ?? defaultDataDir());
  const journal = openJournal(journalPath(dataDir));
  const runner = new NodeCommandRunner();
  return {
    catalog,
    dataDir,
    journal,
    runner,
    session: (extra = {}) => ({
      catalog,
      runner,
      journal,
      appVersion: VERSION,
      hostRoot: options['host-root'],
      hostOs: options['host-os'],
      logDir: path.join(dataDir, 'logs'),
      ...extra,
    }),
  };
}
