/**
 * Receipts: build, sign, serialise, verify and render `divest.receipt/1`.
 *
 * One import for the CLI and the app; the parts live in their own files.
 */
export * from './schema.js';
export * from './keys.js';
export * from './sign.js';
export { renderReceiptHtml, escapeHtml } from './render-html.js';
