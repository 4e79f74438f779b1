/**
 * The preload: exposes `window.divest` (one function per use case of the contract, one `on…` per
 * event) and nothing else. Never `ipcRenderer` itself: listeners receive the payload only, never
 * the IPC event, and get an unsubscribe function back.
 *
 * Sandboxed (it may require only `electron`), so it is bundled into one CommonJS file and imports
 * only the dependency-free method table of the contract.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createDivestApi, type Transport } from '../core/api';

const transport: Transport = {
  invoke: (channel, request) => ipcRenderer.invoke(channel, request),
  subscribe(channel, listener) {
    const wrapped = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('divest', createDivestApi(transport));
