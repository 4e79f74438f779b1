/**
 * The app's use cases, as handlers of the contract in `core/api.ts`: the real "main-process
 * handlers", kept free of Electron so that the very same code serves the Electron window (through
 * `ipc.ts`) and the browser test harness (through HTTP).
 *
 * Everything the handlers need from the outside comes in through {@link HandlerDeps}: where the
 * data lives, a settings store, how to send events, how to print a PDF, and how to get
 * administrator rights for a removal. Each handler receives a request already validated by
 * {@link dispatch}; each either returns its result or throws (mapped to an error code). Mutating
 * use cases (scan, plan, remove, verify, replacement check) run one at a time: a second one while
 * the first runs is refused with `busy`, never queued behind a removal.
 */
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CONTRACT,
  type EventName,
  type EventPayload,
  type JournalEntry,
  type MethodName,
  type MethodResult,
  type ParsedRequest,
  type Result,
  type Settings,
  toCatalogView,
} from '../core/api';
import { loadBuiltInCatalog, loadCatalogFile, type LoadedCatalog } from '../core/catalog/load';
import type { HostOs } from '../core/host/inventory';
import { removalRights } from '../core/host/privileges';
import { NodeCommandRunner, type CommandRunner } from '../core/host/runner';
import { journalPath, openJournal, type Journal, type ReadEvent } from '../core/journal/journal';
import { assembleReceipt } from '../core/receipt/assemble';
import { loadOrCreateSigningKey, signingKeyPath } from '../core/receipt/keys';
import { renderReceiptHtml } from '../core/receipt/render-html';
import { buildReceipt, serializeReceipt, signReceipt, verifyReceipt } from '../core/receipt/sign';
import { findUnfinishedPlan, rebootedSince } from '../core/remove/execute';
import { Plan } from '../core/remove/plan';
import { prepareRemoval, recordedScan, type SessionOptions } from '../core/remove/session';
import { resolveTarget } from '../core/scan/scan';
import { leftoversOf } from '../core/verify/leftovers';
import { checkReplacement } from '../core/verify/replacement';
import { ApiFailure, toApiError } from './errors';
import { removalMode } from './elevate';
import { ReportingRunner, describeCommand } from './progress-runner';
import { DirectRemover, type Remover } from './remover';
import { ensureDir } from '../core/fs-dirs';

/**
 * Where the settings live: electron-store in the app, memory in tests.
 *
 * `set` merges a validated patch and returns the whole settings.
 */
export interface SettingsStore {
  get(): Settings;
  set(patch: Partial<Settings>): Settings;
}

/** Sends an event to the UI. */
export type Emit = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** What the handlers need from their host (Electron or the test harness). */
export interface HandlerDeps {
  settings: SettingsStore;
  /** Journal, signing key and logs. */
  dataDir: string;
  /** Where receipts go when the settings name no folder. */
  defaultExportFolder: string;
  appVersion: string;
  /** Inspect this folder as `/` instead of the live machine (images, test beds). */
  hostRoot?: string;
  hostOs?: HostOs;
  emit: Emit;
  /** Prints a self-contained HTML page to PDF (Electron `printToPDF`, or Chromium in tests). */
  renderPdf?: (html: string) => Promise<Uint8Array>;
  /** How to remove when this process lacks administrator rights (null: no way here). */
  elevatedRemover?: Remover | null;
  runner?: CommandRunner;
}

/** One handler per method, receiving the parsed request. */
export type Handlers = {
  [K in MethodName]: (request: ParsedRequest<K>) => Promise<MethodResult<K>>;
};

const PLAN_EVENTS = new Set(['plan.made', 'plan.started']);

/** The plan with this id, from the journal (the UI names plans by id, never sends one). */
function planFromJournal(events: readonly ReadEvent[], planId: string): Plan | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (!e || !PLAN_EVENTS.has(e.event.type)) continue;
    const parsed = Plan.safeParse(e.event.data.plan);
    if (parsed.success && parsed.data.id === planId) return parsed.data;
  }
  return undefined;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One line about a journal event, for the log viewer. */
export function summarizeEvent(type: string, data: Record<string, unknown>): string {
  const d = data as Record<string, unknown> & {
    result?: { findings?: { status?: string; presence?: string }[]; outcome?: string; message?: string };
    plan?: { steps?: unknown[] };
    replacement?: { product?: string; state?: string };
  };
  const s = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  switch (type) {
    case 'scan.started':
      return `Scan started (${s(d.purpose) || 'scan'})`;
    case 'scan.finished': {
      const f = d.result?.findings ?? [];
      const banned = f.filter((x) => x.status === 'banned' && x.presence === 'installed').length;
      return `Scan finished (${s(d.purpose) || 'scan'}): ${count(f.length, 'finding')}, ${banned} banned installed`;
    }
    case 'plan.made':
      return `Plan ${s(d.planId)} made: ${count(d.plan?.steps?.length ?? 0, 'step')}`;
    case 'plan.started':
      return `Plan ${s(d.planId)} started`;
    case 'plan.resumed':
      return `Plan ${s(d.planId)} resumed`;
    case 'plan.finished':
      return `Plan ${s(d.planId)} finished: ${s(d.status)}`;
    case 'step.started':
      return `Step ${s(d.stepId)} started${Array.isArray(d.argv) && d.argv.length ? `: ${d.argv.map(String).join(' ')}` : ''}`;
    case 'step.finished':
      return `Step ${s(d.stepId)}: ${s(d.result?.outcome)}. ${s(d.result?.message)}`;
    case 'verify.finished':
      return `Verification: ${count(Array.isArray(d.leftovers) ? d.leftovers.length : 0, 'leftover')}${Array.isArray(d.stillInstalled) && d.stillInstalled.length ? `; still installed: ${d.stillInstalled.map(String).join(', ')}` : ''}`;
    case 'replacement.checked':
      return `Replacement ${s(d.replacement?.product)}: ${s(d.replacement?.state)}`;
    case 'receipt.exported':
      return `Receipt ${s(d.receiptId)} exported (${s(d.kind)}) to ${s(d.file)}`;
    case 'settings.changed':
      return `Settings changed: ${Array.isArray(d.changed) ? d.changed.map(String).join(', ') : ''}`;
    case 'remove.refused':
      return `Removal refused: ${s(d.reason)}`;
    case 'journal-break':
      return `Damage found and recorded: ${count(Array.isArray(d.problems) ? d.problems.length : 0, 'problem')}`;
    default:
      return type;
  }
}

/** A file-name-safe stamp: host and UTC time. */
function receiptBaseName(hostname: string, at: Date, id: string): string {
  const host = hostname.replace(/[^A-Za-z0-9.-]+/g, '-').slice(0, 60) || 'host';
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `divest-receipt-${host}-${stamp}-${id.slice(0, 8)}`;
}

/** Creates the handlers. */
export function createHandlers(deps: HandlerDeps): Handlers {
  const runner = new ReportingRunner(deps.runner ?? new NodeCommandRunner());
  const journal: Journal = openJournal(journalPath(deps.dataDir));
  const catalogs = new Map<string, LoadedCatalog>();
  const catalog = (): LoadedCatalog => {
    const file = deps.settings.get().catalogPath;
    const cached = catalogs.get(file);
    if (cached) return cached;
    const loaded = file ? loadCatalogFile(file) : loadBuiltInCatalog();
    catalogs.set(file, loaded);
    return loaded;
  };
  /** What the receipt says now, from the journal, with the operator from the settings. */
  const receiptInput = async (): Promise<ReturnType<typeof assembleReceipt>> => {
    const { events, report } = await journal.readEvents();
    const s = deps.settings.get();
    return assembleReceipt({
      events,
      journal: report,
      catalog: catalog(),
      appVersion: deps.appVersion,
      operator: {
        ...(s.operatorName ? { name: s.operatorName } : {}),
        ...(s.organisation ? { organisation: s.organisation } : {}),
      },
    });
  };
  const session = (extra: Partial<SessionOptions> = {}): SessionOptions => ({
    catalog: catalog(),
    runner,
    journal,
    appVersion: deps.appVersion,
    hostRoot: deps.hostRoot,
    hostOs: deps.hostOs,
    logDir: path.join(deps.dataDir, 'logs'),
    ...extra,
  });
  const target = () => resolveTarget(deps.hostRoot, deps.hostOs);
  const direct = new DirectRemover();

  let busy: string | null = null;
  const exclusive = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    if (busy) throw new ApiFailure('busy', `Divest is busy (${busy}); wait for it to finish.`);
    busy = what;
    try {
      return await fn();
    } finally {
      busy = null;
    }
  };
  let running: { planId: string; controller: AbortController } | null = null;

  const scanWithProgress = async <T>(fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const spawns0 = runner.spawnCount;
    const progress = (phase: EventPayload<'onScanProgress'>['phase'], message: string): void =>
      deps.emit('onScanProgress', {
        phase,
        message,
        elapsedMs: Math.round(performance.now() - t0),
        spawns: runner.spawnCount - spawns0,
      });
    progress('started', 'Starting the scan.');
    runner.listener = (argv) => progress('running', `${describeCommand(argv)}…`);
    try {
      const r = await fn();
      progress('finished', 'Scan finished.');
      return r;
    } catch (e) {
      progress('failed', toApiError(e).message);
      throw e;
    } finally {
      runner.listener = null;
    }
  };

  const keyFingerprint = (): string | null => {
    if (!existsSync(signingKeyPath(deps.dataDir))) return null;
    try {
      return loadOrCreateSigningKey(deps.dataDir).fingerprint;
    } catch {
      return null;
    }
  };

  return {
    async appInfo() {
      const t = target();
      const rights = await removalRights(t, runner);
      const mode =
        rights.admin === false && !deps.elevatedRemover
          ? {
              mode: 'unavailable' as const,
              method: 'none' as const,
              explanation:
                'Removal needs administrator rights, which Divest does not have here and cannot ask for. You can still scan, read the directives, plan and export a receipt; run Divest as an administrator to remove.',
            }
          : removalMode(t.os, rights.admin);
      const c = catalog();
      return {
        version: deps.appVersion,
        os: t.os,
        hostRoot: t.live ? null : t.root,
        hostname: os.hostname(),
        rights: { admin: rights.admin, how: rights.how },
        removal: mode,
        dataDir: deps.dataDir,
        catalog: { version: c.catalog.version, origin: c.origin, sha256: c.sha256 },
        keyFingerprint: keyFingerprint(),
      };
    },

    scan: () => exclusive('scanning', () => scanWithProgress(() => recordedScan(session(), 'scan'))),

    plan: (req) =>
      exclusive('planning', async () => {
        const prep = await scanWithProgress(() => prepareRemoval(session({ only: req.only ?? [] })));
        switch (prep.kind) {
          case 'new':
            return { kind: 'new', plan: prep.plan, scan: prep.scan, doneSteps: 0, rebootPendingSince: null };
          case 'resume':
            return {
              kind: 'resume',
              plan: prep.plan,
              scan: null,
              doneSteps: prep.doneSteps,
              rebootPendingSince: null,
            };
          case 'reboot-pending':
            return {
              kind: 'reboot-pending',
              plan: prep.plan,
              scan: null,
              doneSteps: 0,
              rebootPendingSince: prep.since,
            };
        }
      }),

    remove: (req) =>
      exclusive('removing', async () => {
        const { events } = await journal.readEvents();
        const plan = planFromJournal(events, req.planId);
        if (!plan)
          throw new ApiFailure('not-found', `No plan ${req.planId} in the journal: make the plan again.`);
        const unfinished = findUnfinishedPlan(events);
        let rebootCompleted = false;
        if (unfinished?.plan.id === plan.id && unfinished.rebootPendingSince) {
          if (!rebootedSince(unfinished.rebootPendingSince))
            throw new ApiFailure(
              'usage',
              `A restart is pending to finish this plan (since ${unfinished.rebootPendingSince}). Restart the machine, then continue.`,
            );
          rebootCompleted = true;
        }
        const rights = await removalRights(target(), runner);
        let remover: Remover = direct;
        if (rights.admin === false) {
          if (!deps.elevatedRemover) {
            await journal.append('remove.refused', { reason: 'no administrator rights', how: rights.how });
            throw new ApiFailure(
              'no-admin',
              `Removal needs administrator rights (${rights.how}). Scanning, planning and receipts still work.`,
            );
          }
          remover = deps.elevatedRemover;
        }
        const controller = new AbortController();
        running = { planId: plan.id, controller };
        try {
          return await remover.run(
            {
              plan,
              ...(req.credentials ? { credentials: req.credentials } : {}),
              manualDone: req.manualDone,
              rebootCompleted,
              onProgress: (e) => deps.emit('onRemoveProgress', e),
              signal: controller.signal,
            },
            session(),
          );
        } catch (e) {
          deps.emit('onRemoveProgress', { type: 'phase', phase: 'failed', message: toApiError(e).message });
          throw e;
        } finally {
          running = null;
        }
      }),

    async cancelRemove(req) {
      if (!running || running.planId !== req.planId)
        return { cancelling: false, message: 'No removal of this plan is running.' };
      running.controller.abort();
      return {
        cancelling: true,
        message: 'Stopping before the next step. An uninstaller already running is left to finish.',
      };
    },

    verify: () =>
      exclusive('verifying', async () => {
        const scan = await scanWithProgress(() => recordedScan(session(), 'verify'));
        const leftovers = leftoversOf(scan);
        const stillInstalled = scan.findings.filter(
          (f) => f.status === 'banned' && f.presence === 'installed',
        );
        await journal.append('verify.finished', {
          planId: null,
          findings: scan.findings,
          leftovers,
          stillInstalled: stillInstalled.map((f) => f.productId),
        });
        return { scan, leftovers, stillInstalled };
      }),

    checkReplacement: () =>
      exclusive('checking the replacement', async () => {
        const t = target();
        const replacement = await checkReplacement({ os: t.os, hostRoot: t.root, live: t.live, runner });
        // A check after a removal belongs to that removal's session: the receipt then carries the
        // latest state of protection, not the one seen right after the uninstallers ran.
        const { events } = await journal.readEvents();
        let planId: string | null = null;
        for (let i = events.length - 1; i >= 0 && planId === null; i--) {
          const e = events[i];
          if (e?.event.type === 'plan.started' && typeof e.event.data.planId === 'string')
            planId = e.event.data.planId;
        }
        await journal.append('replacement.checked', { planId, replacement });
        return replacement;
      }),

    async previewReceipt() {
      const receipt = buildReceipt(await receiptInput());
      return { receipt, keyFingerprint: loadOrCreateSigningKey(deps.dataDir).fingerprint };
    },

    async exportReceipt(req) {
      if (req.formats.includes('pdf') && !deps.renderPdf)
        throw new ApiFailure('unsupported', 'PDF printing is not available here; export JSON and HTML.');
      const s = deps.settings.get();
      const input = await receiptInput();
      const key = loadOrCreateSigningKey(deps.dataDir);
      const receipt = signReceipt(buildReceipt(input), key);
      const folder = path.resolve(s.exportFolder || deps.defaultExportFolder);
      ensureDir(folder);
      const base = path.join(
        folder,
        receiptBaseName(receipt.host.hostname, new Date(receipt.issuedAt), receipt.id),
      );
      const json = serializeReceipt(receipt);
      const files = { json: `${base}.json`, html: null as string | null, pdf: null as string | null };
      writeFileSync(files.json, json, { mode: 0o644 });
      const html = renderReceiptHtml(receipt);
      if (req.formats.includes('html')) {
        files.html = `${base}.html`;
        writeFileSync(files.html, html, { mode: 0o644 });
      }
      if (req.formats.includes('pdf') && deps.renderPdf) {
        files.pdf = `${base}.pdf`;
        writeFileSync(files.pdf, await deps.renderPdf(html), { mode: 0o644 });
      }
      await journal.append('receipt.exported', {
        receiptId: receipt.id,
        kind: receipt.kind,
        file: files.json,
        sha256: createHash('sha256').update(json).digest('hex'),
        keyFingerprint: receipt.signature.keyFingerprint,
      });
      return {
        receiptId: receipt.id,
        kind: receipt.kind,
        keyFingerprint: receipt.signature.keyFingerprint,
        folder,
        files,
        journalIntact: input.journal.intact,
      };
    },

    async verifyReceipt(req) {
      const v = verifyReceipt(req.text, req.fingerprint ? { expectedFingerprint: req.fingerprint } : {});
      const r = v.receipt;
      return {
        valid: v.valid,
        problems: v.problems,
        fingerprint: v.fingerprint ?? null,
        summary: r
          ? {
              id: r.id,
              kind: r.kind,
              issuedAt: r.issuedAt,
              hostname: r.host.hostname,
              os: r.host.os,
              operator: r.operator.name ?? null,
              organisation: r.operator.organisation ?? null,
              findingsBefore: r.findingsBefore.length,
              actions: r.actions.length,
              replacementState: r.replacement?.state ?? null,
            }
          : null,
      };
    },

    async readJournal(req) {
      const { events, report } = await journal.readEvents();
      const limit = req.limit ?? 500;
      const shown: JournalEntry[] = events.slice(-limit).map((e) => ({
        line: e.line,
        seq: e.event.seq,
        at: e.event.at,
        type: e.event.type,
        hash: e.hash,
        summary: summarizeEvent(e.event.type, e.event.data),
      }));
      return { file: journal.file, report, total: events.length, events: shown.reverse() };
    },

    async verifyJournal() {
      return { file: journal.file, report: await journal.verify() };
    },

    async catalog() {
      return toCatalogView(catalog());
    },

    async getSettings() {
      return deps.settings.get();
    },

    async setSettings(patch) {
      if (patch.catalogPath) {
        const loaded = loadCatalogFile(patch.catalogPath);
        catalogs.set(patch.catalogPath, loaded);
      }
      const before = deps.settings.get();
      const after = deps.settings.set(patch);
      const changed = (Object.keys(patch) as (keyof Settings)[]).filter((k) => before[k] !== after[k]);
      if (changed.length)
        await journal.append('settings.changed', {
          changed,
          values: Object.fromEntries(changed.map((k) => [k, after[k]])),
        });
      return after;
    },
  };
}

/**
 * Validates a request and runs its handler; never throws.
 *
 * `checkResults` also validates what the handler returns against the contract (the test harness
 * turns it on, so that a handler drifting from the contract fails the end-to-end test).
 */
export async function dispatch(
  handlers: Handlers,
  method: MethodName,
  payload: unknown,
  options: { checkResults?: boolean } = {},
): Promise<Result<unknown>> {
  const spec = CONTRACT[method];
  const parsed = spec.request.safeParse(payload ?? {});
  if (!parsed.success)
    return {
      ok: false,
      error: {
        code: 'invalid-request',
        message: parsed.error.issues
          .map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
          .join('; '),
      },
    };
  try {
    const handler = handlers[method] as (r: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    if (options.checkResults) {
      const check = spec.result.safeParse(value);
      if (!check.success)
        return {
          ok: false,
          error: {
            code: 'internal',
            message: `the ${method} result does not match the contract: ${check.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
          },
        };
    }
    return { ok: true, value };
  } catch (e) {
    return { ok: false, error: toApiError(e) };
  }
}

/** Settings kept in memory (tests and the harness). */
export class MemorySettingsStore implements SettingsStore {
  #value: Settings;

  constructor(initial: Settings) {
    this.#value = { ...initial };
  }

  get(): Settings {
    return { ...this.#value };
  }

  set(patch: Partial<Settings>): Settings {
    this.#value = { ...this.#value, ...patch };
    return this.get();
  }
}
