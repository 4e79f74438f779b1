/**
 * The app's handlers of the contract in `core/api.ts`: each one parses nothing itself (dispatch
 * has validated the request), calls one use case of `core/usecases/`, and shapes its answer. Kept
 * free of Electron so that the very same code serves the Electron window (through `ipc.ts`) and
 * the browser test harness (through HTTP).
 *
 * Everything from the outside comes in through {@link HandlerDeps}: where the data lives, a
 * settings store, how to send events, how to print a PDF, and how to get administrator rights
 * for a removal. Mutating use cases run one at a time: a second one while the first runs is
 * refused with `busy`, never queued behind a removal.
 */
import os from 'node:os';
import {
  CONTRACT,
  toCatalogView,
  type MethodName,
  type MethodResult,
  type ParsedRequest,
  type Result,
  type Settings,
} from '../core/api';
import { DivestError } from '../core/errors';
import { removalRights } from '../core/host/privileges';
import { planById } from '../core/journal/history';
import { existingKeyFingerprint } from '../core/receipt/keys';
import { attestationOf } from '../core/receipt/attest';
import { verifyReceipt } from '../core/receipt/verify';
import { journalView } from '../core/usecases/journal-view';
import { prepareRemoval } from '../core/usecases/plan';
import { exportReceipt, previewReceipt } from '../core/usecases/receipt';
import { removalGate } from '../core/usecases/remove';
import { recordedScan } from '../core/usecases/scan';
import { checkReplacementAndRecord, verifyAndRecord } from '../core/usecases/verify';
import { issuesInOneLine } from '../core/validation';
import { AppState, type HandlerDeps } from './app-state';
import { desktopHandlers, exportFolderOf, settingsProblems } from './desktop-handlers';
import { cliAdvice, removalMode } from './elevate';
import { toApiError } from './errors';
import { DirectRemover, type Remover } from './remover';

export type { Emit, HandlerDeps, SettingsStore } from './app-state';

/** One handler per method, receiving the parsed request. */
export type Handlers = {
  [K in MethodName]: (request: ParsedRequest<K>) => Promise<MethodResult<K>>;
};

async function appInfo(s: AppState): Promise<MethodResult<'appInfo'>> {
  const ws = s.workspace();
  const t = ws.target();
  const rights = await removalRights(t, ws.runner);
  const mode =
    rights.admin === false && !s.deps.elevatedRemover
      ? {
          mode: 'unavailable' as const,
          method: 'none' as const,
          explanation: `Removal needs administrator rights, which Divest does not have here and cannot ask for. You can still scan, read the directives, plan and export a receipt; to remove, ${cliAdvice(process.platform)}.`,
        }
      : removalMode(t.os, rights.admin);
  const c = ws.catalog;
  return {
    version: s.deps.appVersion,
    os: t.os,
    hostRoot: t.live ? null : t.root,
    hostname: os.hostname(),
    rights: { admin: rights.admin, how: rights.how },
    removal: mode,
    dataDir: s.deps.dataDir,
    catalog: { version: c.catalog.version, origin: c.origin, sha256: c.sha256 },
    keyFingerprint: existingKeyFingerprint(s.deps.dataDir),
  };
}

async function plan(s: AppState, req: ParsedRequest<'plan'>): Promise<MethodResult<'plan'>> {
  const prep = await s.withScanProgress(() =>
    prepareRemoval(s.workspace(), {
      only: req.only ?? [],
      ...(req.newPlan ? { newPlan: true } : {}),
      allowImageScriptsOnHost: s.deps.allowImageScriptsOnHost === true,
    }),
  );
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
}

/**
 * Removes what the user saw and acknowledged, never what the journal says: the plan is made again
 * from the catalog and a fresh scan (here, or by the elevated helper) and must have the id the
 * user was shown. The journal only tells which products the user's plan covered.
 */
async function remove(s: AppState, req: ParsedRequest<'remove'>): Promise<MethodResult<'remove'>> {
  const ws = s.workspace();
  const { events } = await ws.journal.read();
  const shown = planById(events, req.planId);
  if (!shown)
    throw new DivestError('not-found', `No plan ${req.planId} in the journal: make the plan again.`);
  const rights = await removalGate(ws, Boolean(s.deps.elevatedRemover));
  const elevated = (rights.admin === false || s.deps.preferElevated) && s.deps.elevatedRemover;
  let plan = shown;
  let rebootCompleted = false;
  if (!elevated) {
    const prep = await prepareRemoval(ws, {
      only: [...new Set(shown.steps.map((x) => x.productId))],
      allowImageScriptsOnHost: s.deps.allowImageScriptsOnHost === true,
    });
    if (prep.kind === 'reboot-pending')
      throw new DivestError(
        'usage',
        `A restart is pending to finish this plan (since ${prep.since}). Restart the machine, then continue.`,
      );
    if (prep.plan.id !== req.planId)
      throw new DivestError(
        'plan-changed',
        'The machine changed since the plan was shown (made again from the catalog and a fresh scan, it differs). Make the plan again, read it, and start again.',
      );
    plan = prep.plan;
    rebootCompleted = prep.kind === 'resume' && prep.rebooted;
  }
  const remover: Remover = elevated ? elevated : new DirectRemover();
  const controller = new AbortController();
  const stopNow = new AbortController();
  s.running = { planId: plan.id, controller, stopNow, elevated: Boolean(elevated) };
  try {
    return await remover.run(
      {
        plan,
        ...(req.credentials ? { credentials: req.credentials } : {}),
        manualDone: req.manualDone,
        rebootCompleted,
        onProgress: (e) => s.deps.emit('onRemoveProgress', e),
        signal: controller.signal,
        stopNow: stopNow.signal,
        ...(s.deps.silenceNoteMs !== undefined ? { silenceNoteMs: s.deps.silenceNoteMs } : {}),
      },
      ws,
    );
  } catch (e) {
    s.deps.emit('onRemoveProgress', { type: 'phase', phase: 'failed', message: toApiError(e).message });
    throw e;
  } finally {
    s.running = null;
  }
}

async function exportReceiptHandler(
  s: AppState,
  req: ParsedRequest<'exportReceipt'>,
): Promise<MethodResult<'exportReceipt'>> {
  const folder = exportFolderOf(s);
  const out = await exportReceipt(s.workspace(), {
    operator: s.operator(),
    destination: {
      kind: 'folder',
      folder,
      html: req.formats.includes('html'),
      pdf: req.formats.includes('pdf'),
    },
    ...(s.deps.renderPdf ? { renderPdf: s.deps.renderPdf } : {}),
    paper: s.deps.settings.get().paperSize,
  });
  return {
    receiptId: out.receipt.id,
    kind: out.receipt.kind,
    keyFingerprint: out.receipt.signature.keyFingerprint,
    folder: out.files.json.replace(/[\\/][^\\/]*$/, ''),
    files: out.files,
    journalIntact: out.journalIntact,
  };
}

function verifyReceiptHandler(req: ParsedRequest<'verifyReceipt'>): MethodResult<'verifyReceipt'> {
  const v = verifyReceipt(req.text, req.fingerprint ? { expectedFingerprint: req.fingerprint } : {});
  return {
    valid: v.valid,
    signature: v.signature,
    problems: v.problems,
    fingerprint: v.fingerprint ?? null,
    attests: v.receipt ? attestationOf(v.receipt) : null,
  };
}

async function setSettings(
  s: AppState,
  patch: ParsedRequest<'setSettings'>,
): Promise<MethodResult<'setSettings'>> {
  // Refused before saving, with the field named: the renderer shows each problem at its field.
  const { problems } = settingsProblems(s, patch);
  if (problems.length)
    throw new DivestError(
      problems.some((p) => p.field === 'catalogPath') ? 'catalog' : 'invalid-input',
      problems.map((p) => `${p.field}: ${p.message}`).join(' '),
    );
  const before = s.deps.settings.get();
  const after = s.deps.settings.set(patch);
  const changed = (Object.keys(patch) as (keyof Settings)[]).filter((k) => before[k] !== after[k]);
  if (changed.length)
    await s.journal.append('settings.changed', {
      changed,
      values: Object.fromEntries(changed.map((k) => [k, after[k]])),
    });
  return after;
}

/** Creates the handlers. */
export function createHandlers(deps: HandlerDeps): Handlers {
  const s = new AppState(deps);
  return {
    appInfo: () => appInfo(s),
    scan: () => s.exclusive('scanning', () => s.withScanProgress(() => recordedScan(s.workspace(), 'scan'))),
    plan: (req) => s.exclusive('planning', () => plan(s, req)),
    remove: (req) => s.exclusive('removing', () => remove(s, req)),
    async cancelRemove(req) {
      if (!s.running || s.running.planId !== req.planId)
        return { cancelling: false, message: 'No removal of this plan is running.' };
      s.running.controller.abort();
      return {
        cancelling: true,
        message: 'Stopping before the next step. An uninstaller already running is left to finish.',
      };
    },
    verify: () => s.exclusive('verifying', () => s.withScanProgress(() => verifyAndRecord(s.workspace()))),
    checkReplacement: () =>
      s.exclusive('checking the replacement', () => checkReplacementAndRecord(s.workspace())),
    previewReceipt: async () => ({
      receipt: await previewReceipt(s.workspace(), s.operator()),
      keyFingerprint: existingKeyFingerprint(deps.dataDir, { create: true }) ?? '',
    }),
    exportReceipt: (req) => exportReceiptHandler(s, req),
    verifyReceipt: async (req) => verifyReceiptHandler(req),
    readJournal: (req) => journalView(s.workspace(), req.limit ?? 500),
    verifyJournal: async () => ({ file: s.journal.file, report: await s.journal.verify() }),
    catalog: async () => toCatalogView(s.catalog()),
    getSettings: async () => deps.settings.get(),
    setSettings: (patch) => setSettings(s, patch),
    ...desktopHandlers(s),
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
    return { ok: false, error: { code: 'invalid-request', message: issuesInOneLine(parsed.error.issues) } };
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
            message: `the ${method} result does not match the contract: ${issuesInOneLine(check.error.issues)}`,
          },
        };
    }
    return { ok: true, value };
  } catch (e) {
    return { ok: false, error: toApiError(e) };
  }
}
