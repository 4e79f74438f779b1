/**
 * The window's life: what happens when its page cannot load or its process dies, and when the
 * user closes it while a removal runs. Plain functions over small interfaces, so tests can drive
 * them without Electron.
 *
 * - A load failure (`did-fail-load` of the main frame), a renderer that dies
 *   (`render-process-gone`) or a preload that throws (`preload-error`) would otherwise leave a
 *   hidden window (it is shown on `ready-to-show`) and a process running: Divest says what
 *   happened in a dialog and quits.
 * - Closing the window during a removal would leave the administrator helper running unseen.
 *   Divest asks; the default keeps the window open. The other answer stops the removal before its
 *   next step (an uninstaller already running is left to finish) and closes the window when the
 *   helper has ended, so what happened is always seen.
 */

/** The events of a web contents watched here. */
export interface WatchedContents {
  on(
    event: 'did-fail-load',
    listener: (e: unknown, code: number, description: string, url: string, isMainFrame: boolean) => void,
  ): unknown;
  on(
    event: 'render-process-gone',
    listener: (e: unknown, details: { reason: string; exitCode: number }) => void,
  ): unknown;
  on(event: 'preload-error', listener: (e: unknown, preloadPath: string, error: Error) => void): unknown;
}

/** Chromium's "the load was aborted" (a navigation replaced it): not a failure. */
const ERR_ABORTED = -3;

/** Calls `fail(title, detail)` once for the first fatal load or renderer failure. */
export function watchLoadFailures(wc: WatchedContents, fail: (title: string, detail: string) => void): void {
  let failed = false;
  const once = (title: string, detail: string): void => {
    if (failed) return;
    failed = true;
    fail(title, detail);
  };
  wc.on('did-fail-load', (_e, code, description, url, isMainFrame) => {
    if (!isMainFrame || code === ERR_ABORTED) return;
    once('Divest could not start', `Its window could not load ${url}: ${description} (error ${code}).`);
  });
  wc.on('render-process-gone', (_e, d) => {
    if (d.reason === 'clean-exit') return;
    once(
      'Divest stopped',
      `The window's process ended (${d.reason}, exit code ${d.exitCode}). Divest will close; a running removal stops before its next step.`,
    );
  });
  wc.on('preload-error', (_e, preloadPath, error) => {
    once('Divest could not start', `Its bridge to the window (${preloadPath}) failed: ${error.message}`);
  });
}

/** What the user chose when closing during a removal. */
export type CloseChoice = 'keep-open' | 'stop-then-close';

/** Tracks the running removal and decides what closing the window does. */
export class RemovalGuard {
  #running: { planId: string; done: Promise<unknown> } | null = null;
  #closing = false;

  /** Wraps a removal so the guard knows it runs. */
  track<T>(planId: string, removal: Promise<T>): Promise<T> {
    const done = removal.finally(() => {
      if (this.#running?.done === done) this.#running = null;
    });
    this.#running = { planId, done };
    return removal;
  }

  get running(): boolean {
    return this.#running !== null;
  }

  /**
   * Called on the window's `close`: returns true when the close may go ahead. Otherwise it asks
   * (`ask`), and for "stop then close" cancels the removal and calls `close` once it has ended.
   */
  onClose(ask: () => CloseChoice, cancel: (planId: string) => void, close: () => void): boolean {
    const r = this.#running;
    if (!r || this.#closing) return true;
    if (ask() === 'keep-open') return false;
    this.#closing = true;
    cancel(r.planId);
    void r.done.then(close, close);
    return false;
  }
}

/** The close dialog's wording (buttons in order: keep open, stop then close). */
export const CLOSE_DIALOG = {
  type: 'warning' as const,
  buttons: ['Keep Divest open', 'Stop after this step, then close'],
  defaultId: 0,
  cancelId: 0,
  title: 'A removal is running',
  message: 'A removal is running with administrator rights.',
  detail:
    'If Divest closed now, the administrator helper would go on without anyone seeing what it does. Divest can stop the removal before its next step (an uninstaller already running is left to finish) and close when the helper has ended.',
};
