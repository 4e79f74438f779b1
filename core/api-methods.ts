/**
 * The method table of the app's contract: every use case the UI may call, and every event it may
 * listen to, with the one channel name each travels on.
 *
 * This is the dependency-free half of `core/api.ts` (which adds the zod schemas and the types).
 * It imports nothing at run time, so the sandboxed preload (which may `require` only `electron`)
 * and the browser test bridge can bundle it without pulling in Node modules; the schemas' modules
 * (the planner, the replacement check) import `node:fs` and `node:crypto`. No other file names a
 * channel: main, preload and the test harness all iterate over these tables.
 */
import type { DivestApi, EventName, EventPayload, MethodName, MethodRequest, Result } from './api';

/**
 * Request/response methods: API name to channel (`noun:verb`).
 *
 * Each takes one object (validated with `.strict()` zod schemas in main) and resolves to a
 * `Result`, never a rejection.
 */
export const METHODS = {
  appInfo: 'app:info',
  scan: 'scan:run',
  plan: 'plan:make',
  remove: 'remove:start',
  cancelRemove: 'remove:cancel',
  verify: 'verify:run',
  checkReplacement: 'replacement:check',
  previewReceipt: 'receipt:preview',
  exportReceipt: 'receipt:export',
  verifyReceipt: 'receipt:verify',
  readJournal: 'journal:read',
  verifyJournal: 'journal:verify',
  catalog: 'catalog:get',
  getSettings: 'settings:get',
  setSettings: 'settings:set',
} as const;

/**
 * Events from main to the UI: API listener name to channel.
 *
 * Listeners get the payload only (never the transport's event object) and return an unsubscribe.
 */
export const EVENTS = {
  onScanProgress: 'scan:progress',
  onRemoveProgress: 'remove:progress',
  onNavigate: 'app:navigate',
} as const;

/**
 * What a transport must do: call a channel, and subscribe to an event channel.
 *
 * Electron's preload implements it with `ipcRenderer`; the browser test bridge with fetch and
 * server-sent events. Both hand it to {@link createDivestApi}.
 */
export interface Transport {
  invoke(channel: string, request: unknown): Promise<unknown>;
  subscribe(channel: string, listener: (payload: unknown) => void): () => void;
}

function isResult(value: unknown): value is Result<unknown> {
  return typeof value === 'object' && value !== null && 'ok' in value && typeof value.ok === 'boolean';
}

/**
 * Builds `window.divest` from a transport: one function per method, one `on…` per event.
 *
 * A transport failure (the main process gone, the harness stopped) becomes an `ok: false` result
 * with code `transport`, so the UI has one error path.
 */
export function createDivestApi(transport: Transport): DivestApi {
  const api: Record<string, unknown> = {};
  for (const [name, channel] of Object.entries(METHODS)) {
    api[name] = async (request: unknown = {}): Promise<Result<unknown>> => {
      try {
        const r = await transport.invoke(channel, request);
        if (isResult(r)) return r;
        return { ok: false, error: { code: 'transport', message: 'The answer was not a result.' } };
      } catch (e) {
        return {
          ok: false,
          error: { code: 'transport', message: e instanceof Error ? e.message : String(e) },
        };
      }
    };
  }
  for (const [name, channel] of Object.entries(EVENTS)) {
    api[name] = (listener: (payload: unknown) => void): (() => void) => {
      if (typeof listener !== 'function') throw new TypeError(`${name} needs a function`);
      return transport.subscribe(channel, (payload) => listener(payload));
    };
  }
  return Object.freeze(api) as unknown as DivestApi;
}

/**
 * The method name a channel belongs to, if any.
 *
 * Used by transports that receive a channel name from outside (the harness's HTTP path).
 */
export function methodOfChannel(channel: string): MethodName | undefined {
  for (const [name, c] of Object.entries(METHODS)) if (c === channel) return name as MethodName;
  return undefined;
}

/** Compile-time checks that the tables and the types agree (no run-time effect). */
export type _Check = [MethodRequest<MethodName>, EventPayload<EventName>];
