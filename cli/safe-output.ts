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

/**
 * The unfiltered write of a {@link safeStream}, for Divest's own cursor control (the progress
 * line's carriage return and erase-line) only; never for text from a machine or a file.
 */
export const RAW_WRITE = Symbol('divest.rawWrite');

/** A stream that writes `terminalSafe` text to `target`. */
export function safeStream(target: NodeJS.WritableStream): NodeJS.WritableStream {
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (prop === RAW_WRITE) return t.write.bind(t);
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

// Every control character (newline and tab included), DEL, C1 controls, line/paragraph separators
// and bidi controls: none of them may come from a file or a machine into a line we print.
// eslint-disable-next-line no-control-regex
const FIELD_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A value read from a file or an inspected machine, made safe to print inside one line: a newline
 * in a signed hostname must not print a fake line ("the key is the one you expected"). Control
 * characters are shown as escapes (`\n`, `\x1b`, `\u202e`), so the reader sees they are there.
 */
export function field(value: unknown): string {
  return String(value).replace(FIELD_UNSAFE, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** A template tag: every interpolated value goes through {@link field}; the literal text does not. */
export function safe(strings: TemplateStringsArray, ...values: unknown[]): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? field(values[i]) : ''), '');
}
