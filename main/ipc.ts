/**
 * The IPC side of the contract: one `ipcMain.handle` per method of `core/api.ts`, nothing else.
 *
 * For every call: the sender is checked first (the main window's top frame, on the app's own
 * origin), then there must be exactly one argument, then `dispatch` validates it with the
 * method's zod schema before the handler runs. The answer is always a result object.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import {
  EVENTS,
  METHODS,
  type EventName,
  type EventPayload,
  type MethodName,
  type Result,
} from '../core/api';
import { dispatch, type Handlers } from './handlers';
import { isTrustedSender } from './security';

/** Registers the handlers; `windowId` tells which web contents may call them. */
export function registerIpc(ipcMain: IpcMain, handlers: Handlers, windowId: () => number | null): void {
  for (const [method, channel] of Object.entries(METHODS) as [MethodName, string][]) {
    ipcMain.handle(
      channel,
      async (event: IpcMainInvokeEvent, ...args: unknown[]): Promise<Result<unknown>> => {
        if (!isTrustedSender(event.sender, event.senderFrame, windowId()))
          return {
            ok: false,
            error: { code: 'invalid-request', message: 'This caller may not use Divest.' },
          };
        if (args.length !== 1)
          return {
            ok: false,
            error: { code: 'invalid-request', message: 'Exactly one request object is expected.' },
          };
        return dispatch(handlers, method, args[0]);
      },
    );
  }
}

/** Sends an event to the window (if it is still there). */
export function sendEvent<E extends EventName>(
  contents: WebContents | null,
  event: E,
  payload: EventPayload<E>,
): void {
  if (contents && !contents.isDestroyed()) contents.send(EVENTS[event], payload);
}
