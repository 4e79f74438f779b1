/**
 * `window.divest` for the browser harness: built from the same contract tables as the Electron
 * preload (`createDivestApi`), over fetch for methods and server-sent events for events.
 *
 * Bundled by harness.ts into an IIFE and served with the token set beforehand.
 */
import { createDivestApi, type Transport } from '../../core/api';

declare global {
  interface Window {
    __DIVEST_TOKEN__?: string;
  }
}

const token = window.__DIVEST_TOKEN__ ?? '';
const listeners = new Map<string, Set<(payload: unknown) => void>>();
const source = new EventSource(`/events?token=${encodeURIComponent(token)}`);
source.onmessage = (m: MessageEvent<string>) => {
  const { channel, payload } = JSON.parse(m.data) as { channel: string; payload: unknown };
  for (const l of listeners.get(channel) ?? []) l(payload);
};

const transport: Transport = {
  async invoke(channel, request) {
    const r = await fetch(`/api/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-divest-token': token },
      body: JSON.stringify(request ?? {}),
    });
    if (!r.ok) throw new Error(`the harness answered HTTP ${r.status}`);
    return r.json();
  },
  subscribe(channel, listener) {
    const set = listeners.get(channel) ?? new Set();
    set.add(listener);
    listeners.set(channel, set);
    return () => set.delete(listener);
  },
};

Object.defineProperty(window, 'divest', { value: createDivestApi(transport), writable: false });
