/**
 * The elevated removal helper: one removal, as root or Administrator, of the plan the helper
 * derives itself, if and only if its id is the one the user read.
 *
 * The helper trusts nothing the app sends beyond what it can check: it re-derives the plan from
 * the machine's own journal, the built-in catalog and a fresh scan (`prepareRemoval`, the same use
 * case the CLI runs), refuses when the id differs ("the machine changed since the plan was shown",
 * or someone asked for another plan), checks every "manual step done" against that plan, and
 * passes the uninstall password only to the vendor's uninstaller. It writes into the machine's
 * data folder (root's) and to its channel, nothing else.
 *
 * Every event the helper appends to the machine's journal after the check is also sent to the app
 * (`journal` lines), so that the user's own journal, from which the app exports its receipts,
 * records the removal too.
 */
import { DivestError, isDivestError, messageOf } from '../errors';
import type { Journal } from '../journal/journal';
import type { EventType } from '../model/events';
import { prepareRemoval } from '../usecases/plan';
import { openWorkspace, type Workspace } from '../usecases/workspace';
import { runRemovalJob } from '../usecases/removal-job';
import { HELPER_EXIT, type AppLine, type HelperLine } from './protocol';
import { UntrustedDataDir, type HelperEnvironment } from './trusted';

/** The helper's side of the channel to the app. */
export interface HelperChannel {
  send(line: HelperLine): void;
  /** Calls back for each valid line from the app, for bad lines, and once when the app is gone. */
  listen(handlers: { line: (l: AppLine) => void; bad: (reason: string) => void; closed: () => void }): void;
}

/** How long the helper waits for the app's request once it runs. */
const REQUEST_TIMEOUT_MS = 60_000;

type Request = Extract<AppLine, { kind: 'request' }>;

/** Waits for the request; afterwards "cancel" lines, or the app going away, abort `controller`. */
function receive(channel: HelperChannel, controller: AbortController): Promise<Request> {
  return new Promise((resolve, reject) => {
    let request: Request | undefined;
    const timer = setTimeout(
      () => reject(new DivestError('invalid-request', 'the app sent no request in time')),
      REQUEST_TIMEOUT_MS,
    );
    channel.listen({
      line: (l) => {
        if (l.kind === 'cancel') {
          if (request) controller.abort();
          else reject(new DivestError('invalid-request', 'cancelled before the request'));
        } else if (request)
          controller.abort(); // a second request is not part of the protocol
        else {
          request = l;
          clearTimeout(timer);
          resolve(l);
        }
      },
      bad: (reason) => {
        if (request) controller.abort();
        else {
          clearTimeout(timer);
          reject(new DivestError('invalid-request', `the app sent ${reason}`));
        }
      },
      closed: () => {
        clearTimeout(timer);
        // The app went away: stop before the next step (a running uninstaller is left to finish).
        if (request) controller.abort();
        else reject(new DivestError('invalid-request', 'the app closed the channel before its request'));
      },
    });
  });
}

/** A journal that also sends every event it appends to the app. */
function forwarding(inner: Journal, send: (line: HelperLine) => void): Journal {
  return {
    get file() {
      return inner.file;
    },
    async append(type, data, options) {
      const written = await inner.append(type, data, options);
      send({ kind: 'journal', type: type as EventType, data: data as Record<string, unknown> });
      return written;
    },
    read: () => inner.read(),
    verify: () => inner.verify(),
    head: () => inner.head(),
  };
}

function workspace(env: HelperEnvironment, journal?: Journal): Workspace {
  return openWorkspace({
    catalog: env.catalog,
    dataDir: env.dataDir,
    appVersion: env.appVersion,
    runner: env.runner,
    ...(env.hostRoot ? { hostRoot: env.hostRoot } : {}),
    ...(env.hostOs ? { hostOs: env.hostOs } : {}),
    ...(journal ? { journal } : {}),
  });
}

class Refusal extends Error {
  constructor(
    readonly code: 'plan-changed' | 'invalid-request',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs the helper for plan `planId`; returns its exit code ({@link HELPER_EXIT}).
 *
 * `environment` is resolved after the request arrived (production: `trustedEnvironment`).
 */
export async function runHelper(
  planId: string,
  channel: HelperChannel,
  environment: () => Promise<HelperEnvironment>,
): Promise<number> {
  const controller = new AbortController();
  try {
    const request = await receive(channel, controller);
    const env = await environment();
    const ws = workspace(env);
    const prep = await prepareRemoval(ws, { allowImageScriptsOnHost: env.allowImageScriptsOnHost === true });
    if (prep.kind === 'reboot-pending')
      throw new Refusal(
        'plan-changed',
        `A restart is pending to finish plan ${prep.plan.id} (since ${prep.since}); restart the machine first.`,
      );
    if (prep.plan.id !== planId)
      throw new Refusal(
        'plan-changed',
        prep.kind === 'resume'
          ? `The machine's journal holds an unfinished plan (${prep.plan.id}), not the plan shown (${planId}). Make the plan again to continue it.`
          : `The machine changed since the plan was shown: with administrator rights Divest arrives at plan ${prep.plan.id}, not ${planId}. Make the plan again, read it, and start again.`,
      );
    const manual = new Set(prep.plan.steps.filter((s) => s.method === 'manual').map((s) => s.id));
    const unknown = request.manualDone.filter((id) => !manual.has(id));
    if (unknown.length)
      throw new Refusal('invalid-request', `not manual steps of plan ${planId}: ${unknown.join(', ')}`);
    const send = (line: HelperLine): void => channel.send(line);
    const summary = await runRemovalJob(
      {
        plan: prep.plan,
        ...(request.credentials ? { credentials: request.credentials } : {}),
        manualDone: request.manualDone,
        rebootCompleted: prep.kind === 'resume' && prep.rebooted,
        onProgress: (event) => send({ kind: 'progress', event }),
        signal: controller.signal,
      },
      workspace(env, forwarding(ws.journal, send)),
    );
    send({ kind: 'summary', summary });
    return HELPER_EXIT.done;
  } catch (e) {
    if (e instanceof Refusal) {
      channel.send({ kind: 'error', code: e.code, message: e.message });
      return HELPER_EXIT.refused;
    }
    const code = isDivestError(e, 'invalid-request')
      ? 'invalid-request'
      : e instanceof UntrustedDataDir
        ? 'untrusted-data-dir'
        : isDivestError(e, 'io')
          ? 'io'
          : 'internal';
    channel.send({ kind: 'error', code, message: messageOf(e) });
    return code === 'invalid-request' ? HELPER_EXIT.refused : HELPER_EXIT.failed;
  }
}
