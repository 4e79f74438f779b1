/**
 * Output that cannot take over the operator's terminal.
 *
 * Names Divest prints come from the inspected machine (registry DisplayNames, package fields,
 * uninstaller output): anyone who can write there could plant escape sequences that clear the
 * screen, rewrite earlier lines ("0 banned products") or reorder text with bidirectional
 * overrides. Every control character except tab and newline, and the bidi override characters,
 * are shown as "?". JSON output is unaffected: JSON.stringify already escapes control characters.
 */

// Matching control characters is the purpose of this expression.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The text with terminal control characters neutralised. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, '?');
}

/** A stream that writes `terminalSafe` text to `target`. */
export function safeStream(target: NodeJS.WritableStream): NodeJS.WritableStream {
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (prop === 'write')
        return (chunk: unknown, ...rest: unknown[]) =>
          (t.write as (c: unknown, ...r: unknown[]) => boolean).call(
            t,
            typeof chunk === 'string' ? terminalSafe(chunk) : chunk,
            ...rest,
          );
      const v = Reflect.get(t, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}
