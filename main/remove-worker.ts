/**
 * The elevated removal helper: the app started again with administrator rights, doing one removal
 * and nothing else (no window, no renderer), talking to the unprivileged app through files.
 *
 * Files, not pipes, because none of the three elevation prompts keeps pipes: UAC's `runas` starts
 * a process with no standard streams, macOS's `do shell script` returns output only at the end,
 * and pkexec would, but one protocol for all three is easier to get right. The app writes a
 * request file (mode 0600, in a private temporary folder); the helper reads and deletes it,
 * appends progress events (JSON Lines) to the progress file, stops before the next step when the
 * cancel file appears, and writes the summary as the last line.
 *
 * The helper trusts no command from the request: it re-derives the plan itself, as administrator,
 * from the catalog, the journal and a fresh scan (`prepareRemoval`), and refuses to run when that
 * plan's id differs from the one the user acknowledged ("the machine changed since the plan was
 * shown"). The plan id hashes every step's argv and targets.
 */
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import * as z from 'zod';
import { RemovalSummary, RemoveProgress } from '../core/api';
import { loadBuiltInCatalog, loadCatalogFile } from '../core/catalog/load';
import { prepareRemoval } from '../core/usecases/plan';
import { openWorkspace } from '../core/usecases/workspace';
import { runRemovalJob } from './remover';

/** The command-line flag that makes the app a removal helper. */
export const WORKER_FLAG = '--divest-remove-worker';

/** What the app asks the helper to do. */
export const WorkerRequest = z.strictObject({
  dataDir: z.string().min(1),
  hostRoot: z.string().min(1).optional(),
  hostOs: z.enum(['linux', 'macos', 'windows']).optional(),
  catalogPath: z.string().min(1).optional(),
  appVersion: z.string(),
  planId: z.string().regex(/^[0-9a-f]{16}$/),
  credentials: z.strictObject({ login: z.string().optional(), password: z.string().min(1) }).optional(),
  manualDone: z.array(z.string()),
  progressFile: z.string().min(1),
  cancelFile: z.string().min(1),
});
/** See {@link WorkerRequest}. */
export type WorkerRequest = z.infer<typeof WorkerRequest>;

/** One line of the progress file. */
export const WorkerLine = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('progress'), event: RemoveProgress }),
  z.strictObject({ kind: z.literal('summary'), summary: RemovalSummary }),
  z.strictObject({ kind: z.literal('error'), code: z.string(), message: z.string() }),
]);
/** See {@link WorkerLine}. */
export type WorkerLine = z.infer<typeof WorkerLine>;

/**
 * Runs the helper for the request file; returns the process exit code (0 done, 1 failed, 3 refused).
 *
 * Every failure is reported in the progress file as well, so the app can say what happened.
 */
export async function runRemoveWorker(requestFile: string): Promise<number> {
  let request: WorkerRequest;
  try {
    request = WorkerRequest.parse(JSON.parse(readFileSync(requestFile, 'utf8')));
  } finally {
    // The request may hold an uninstall password: it lives only as long as it must.
    rmSync(requestFile, { force: true });
  }
  const write = (line: WorkerLine): void => {
    appendFileSync(request.progressFile, `${JSON.stringify(line)}\n`, { mode: 0o644 });
  };
  try {
    const catalog = request.catalogPath ? loadCatalogFile(request.catalogPath) : loadBuiltInCatalog();
    const ws = openWorkspace({
      catalog,
      dataDir: request.dataDir,
      appVersion: request.appVersion,
      hostRoot: request.hostRoot,
      hostOs: request.hostOs,
    });
    const prep = await prepareRemoval(ws);
    if (prep.kind === 'reboot-pending') {
      write({
        kind: 'error',
        code: 'plan-changed',
        message: `A restart is pending to finish plan ${prep.plan.id} (since ${prep.since}); restart first.`,
      });
      return 3;
    }
    if (prep.plan.id !== request.planId) {
      write({
        kind: 'error',
        code: 'plan-changed',
        message:
          'The machine changed since the plan was shown (the plan made with administrator rights differs). Make the plan again, read it, and start again.',
      });
      return 3;
    }
    const controller = new AbortController();
    const timer = setInterval(() => {
      if (existsSync(request.cancelFile)) controller.abort();
    }, 250);
    try {
      const summary = await runRemovalJob(
        {
          plan: prep.plan,
          ...(request.credentials ? { credentials: request.credentials } : {}),
          manualDone: request.manualDone,
          rebootCompleted: prep.kind === 'resume' && prep.rebooted,
          onProgress: (event) => write({ kind: 'progress', event }),
          signal: controller.signal,
        },
        ws,
      );
      write({ kind: 'summary', summary });
      return 0;
    } finally {
      clearInterval(timer);
    }
  } catch (e) {
    write({ kind: 'error', code: 'internal', message: e instanceof Error ? e.message : String(e) });
    return 1;
  }
}
