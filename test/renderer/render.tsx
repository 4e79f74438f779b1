/**
 * Renders the app with `window.divest` built by the real `createDivestApi` over a scripted
 * transport: each method answers from `responses` (a result, or a function of the request), and
 * the test can push events. Unscripted methods answer an `internal` error, so a screen that calls
 * something unexpected shows it.
 */
import { render, screen, type RenderResult } from '@testing-library/react';
import { createDivestApi, METHODS, type Transport } from '../../core/api';
import type { MethodName, MethodResult, Result } from '../../core/api';
import { App } from '../../renderer/app';
import { StoreProvider, type State } from '../../renderer/store';
import { appInfo, catalogView, settings } from './fixtures';

type Responses = {
  [K in MethodName]?:
    Result<MethodResult<K>> | ((req: unknown) => Result<MethodResult<K>> | Promise<Result<MethodResult<K>>>);
};

/** What {@link renderApp} returns: the render, the calls made, and a way to push events. */
export interface Rendered extends RenderResult {
  calls: { method: string; request: unknown }[];
  emit: (channel: string, payload: unknown) => void;
}

const channelToMethod = new Map<string, MethodName>(
  Object.entries(METHODS).map(([m, c]) => [c, m as MethodName]),
);

/** Renders the whole app on `initial.screen` with scripted answers. */
export function renderApp(responses: Responses = {}, initial: Partial<State> = {}): Rendered {
  const defaults: Responses = {
    appInfo: { ok: true, value: appInfo() },
    catalog: { ok: true, value: catalogView() },
    getSettings: { ok: true, value: settings() },
  };
  const all: Responses = { ...defaults, ...responses };
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: Rendered['calls'] = [];
  const transport: Transport = {
    async invoke(channel, request) {
      const method = channelToMethod.get(channel);
      if (!method) throw new Error(`unknown channel ${channel}`);
      calls.push({ method, request });
      const r = all[method];
      if (!r) return { ok: false, error: { code: 'internal', message: `${method} was not scripted` } };
      return typeof r === 'function' ? r(request) : r;
    },
    subscribe(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  };
  Object.defineProperty(window, 'divest', {
    value: createDivestApi(transport),
    configurable: true,
    writable: true,
  });
  const result = render(
    <StoreProvider initial={initial}>
      <App />
    </StoreProvider>,
  );
  return {
    ...result,
    calls,
    emit: (channel, payload) => {
      for (const l of listeners.get(channel) ?? []) l(payload);
    },
  };
}

/** The screen's h1. */
export async function heading(name: string): Promise<HTMLElement> {
  return screen.findByRole('heading', { level: 1, name });
}
