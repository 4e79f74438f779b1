/**
 * The Content-Security-Policy of the app's page: nothing but the app's own files, no inline
 * script, no eval, no network, no frames, no plugins.
 *
 * One definition for the three places it is enforced: the `<meta>` tag the renderer build writes
 * into index.html, the header the app's protocol handler sends with every file, and (with
 * `connectSelf`, for its fetch bridge only) the browser test harness.
 */

/** Options of {@link contentSecurityPolicy}. */
export interface CspOptions {
  /** Allow fetch/EventSource to the page's own origin (the test harness's bridge only). */
  connectSelf?: boolean;
}

/** The policy as a header value. */
export function contentSecurityPolicy(options: CspOptions = {}): string {
  const directives: [string, string][] = [
    ['default-src', "'none'"],
    ['script-src', "'self'"],
    ['style-src', "'self'"],
    ['img-src', "'self'"],
    ['font-src', "'self'"],
    ['connect-src', options.connectSelf ? "'self'" : "'none'"],
    ['object-src', "'none'"],
    ['media-src', "'none'"],
    ['frame-src', "'none'"],
    ['worker-src', "'none'"],
    ['manifest-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
  ];
  return directives.map(([k, v]) => `${k} ${v}`).join('; ');
}

/**
 * The same policy for a `<meta http-equiv>` tag.
 *
 * `frame-ancestors` is ignored in meta tags, so it is only in the header (see `app-protocol.ts`).
 */
export function cspMetaTag(): string {
  return `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}">`;
}
