/**
 * Translates a catalog regular expression (JavaScript, flags `iu`) into a pattern for osquery's
 * `regex_match(lower(COLUMN), PATTERN, 0) IS NOT NULL`.
 *
 * What osquery does with the pattern (osquery/sql/sqlite_string.cpp, research NOTES §2):
 * `std::regex(pattern)` with default flags (ECMAScript grammar, case-SENSITIVE), `regex_search`
 * (unanchored), over the column's UTF-8 BYTES; at most 256 bytes (`regex_max_size`); an invalid
 * pattern fails the whole query. SQLite's `lower()` folds ASCII only. So:
 * - ASCII letters are lower-cased (the column is `lower()`-ed too);
 * - every non-ASCII letter becomes an alternation of its case forms, `(К|к)`, because neither
 *   `lower()` nor a byte-wise character class can fold it;
 * - a character class holding non-ASCII characters becomes an alternation;
 * - `\p{L}` becomes "an ASCII letter or non-ASCII bytes" (an approximation that only errs towards
 *   matching: a non-ASCII symbol counts as a letter);
 * - a lone `.` becomes "one ASCII character or one run of non-ASCII bytes";
 * - constructs std::regex lacks (lookbehind, named groups, other `\p{}` classes, `\u{}` above
 *   the BMP, `\k<>`) are refused, and so is a result over 256 bytes: generating a policy that
 *   errors on every host (Fleet then never evaluates it) is worse than refusing to generate one.
 * Pure: no I/O.
 */
import { DivestError } from '../errors';

/** osquery's `regex_max_size` default (bytes, inclusive). */
export const OSQUERY_REGEX_MAX_BYTES = 256;

/** A pattern Divest cannot express for osquery. */
export class UntranslatablePattern extends DivestError<'catalog'> {
  constructor(pattern: string, why: string) {
    super('catalog', `the catalog pattern /${pattern}/ cannot be used in osquery SQL: ${why}`);
  }
}

const LETTER_BYTE = '[^\\x01-@\\[-`{-\\x7f]';
const ONE_LETTER = `(?:[a-z]|[^\\x01-\\x7f]+)`;
const ONE_CHAR = '(?:[\\x01-\\x09\\x0b\\x0c\\x0e-\\x7f]|[^\\x01-\\x7f]+)';

/** The case forms of a non-ASCII character that a JavaScript `iu` match treats as equal. */
function caseForms(ch: string): string[] {
  const forms = new Set([ch]);
  for (const f of [ch.toLowerCase(), ch.toUpperCase()]) if ([...f].length === 1) forms.add(f);
  return [...forms];
}

function isAscii(ch: string): boolean {
  return (ch.codePointAt(0) ?? 0) < 0x80;
}

/** One literal character as pattern text: ASCII lower-cased and escaped as needed. */
function literal(ch: string, quantified: boolean): string {
  if (isAscii(ch)) {
    if (/[A-Za-z]/.test(ch)) return ch.toLowerCase();
    if (/[\\^$.*+?()[\]{}|/]/.test(ch)) return `\\${ch}`;
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
    return ch;
  }
  const forms = caseForms(ch);
  if (forms.length > 1) return `(${forms.join('|')})`;
  return quantified ? `(?:${ch})` : ch;
}

interface Cursor {
  src: string;
  i: number;
}

const peekQuantified = (c: Cursor): boolean => /^[*+?{]/.test(c.src.slice(c.i));

/** Reads `\u{...}`, `\uXXXX` or `\xHH` after the backslash and letter; returns the character. */
function readCodeEscape(c: Cursor, kind: 'u' | 'x'): string {
  const rest = c.src.slice(c.i);
  const m =
    kind === 'x' ? /^[0-9A-Fa-f]{2}/.exec(rest) : /^(?:\{[0-9A-Fa-f]{1,6}\}|[0-9A-Fa-f]{4})/.exec(rest);
  if (!m) throw new UntranslatablePattern(c.src, `malformed \\${kind} escape`);
  c.i += m[0].length;
  const cp = parseInt(m[0].replace(/[{}]/g, ''), 16);
  if (cp > 0xffff) throw new UntranslatablePattern(c.src, 'a character outside the BMP');
  if (cp === 0) throw new UntranslatablePattern(c.src, 'a NUL character (osquery reads C strings)');
  return String.fromCodePoint(cp);
}

/** A class member: a single character, or an escape that stands for a set (`\d`). */
type Member = { char: string } | { set: string };

function readClassMember(c: Cursor): Member {
  const cp = c.src.codePointAt(c.i) ?? 0;
  const ch = String.fromCodePoint(cp);
  c.i += ch.length;
  if (ch !== '\\') return { char: ch };
  const e = c.src[c.i++];
  if (e === undefined) throw new UntranslatablePattern(c.src, 'a trailing backslash');
  if ('dDsSwW'.includes(e)) return { set: `\\${e}` };
  if (e === 'u' || e === 'x') return { char: readCodeEscape(c, e) };
  if (e === 't') return { char: '\t' };
  if (e === 'n') return { char: '\n' };
  if (e === 'r') return { char: '\r' };
  if (e === 'p' || e === 'P') throw new UntranslatablePattern(c.src, 'a Unicode property inside [...]');
  if (/[\\\]\-[^.$*+?(){}|/]/.test(e)) return { char: e };
  throw new UntranslatablePattern(c.src, `the escape \\${e} inside [...]`);
}

function classChar(ch: string): string {
  if (/[A-Za-z]/.test(ch)) return ch.toLowerCase();
  if (/[\\\]\-[^]/.test(ch)) return `\\${ch}`;
  const code = ch.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
  return ch;
}

/** Translates `[...]` (the cursor is just past `[`). */
function translateClass(c: Cursor): string {
  const negated = c.src[c.i] === '^';
  if (negated) c.i++;
  if (c.src[c.i] === ']') throw new UntranslatablePattern(c.src, 'an empty class [] or [^]');
  const ascii: string[] = [];
  const wide: string[] = [];
  while (c.i < c.src.length && c.src[c.i] !== ']') {
    const first = readClassMember(c);
    if (c.src[c.i] === '-' && c.src[c.i + 1] !== ']' && c.i + 1 < c.src.length) {
      c.i++;
      const last = readClassMember(c);
      if (!('char' in first) || !('char' in last))
        throw new UntranslatablePattern(c.src, 'a range with a class escape as an end');
      const [a, b] = [first.char, last.char];
      if (!isAscii(a) || !isAscii(b))
        throw new UntranslatablePattern(c.src, 'a range of non-ASCII characters');
      const upper = (x: string): boolean => /[A-Z]/.test(x);
      const lower = (x: string): boolean => /[a-z]/.test(x);
      if (upper(a) && upper(b)) ascii.push(`${a.toLowerCase()}-${b.toLowerCase()}`);
      else if ((lower(a) && lower(b)) || (!/[A-Za-z]/.test(a) && !/[A-Za-z]/.test(b) && !spansLetters(a, b)))
        ascii.push(`${classChar(a)}-${classChar(b)}`);
      else throw new UntranslatablePattern(c.src, `the range ${a}-${b} mixes letter cases`);
      continue;
    }
    if ('set' in first) ascii.push(first.set);
    else if (isAscii(first.char)) ascii.push(classChar(first.char));
    else for (const f of caseForms(first.char)) wide.push(f);
  }
  if (c.src[c.i] !== ']') throw new UntranslatablePattern(c.src, 'an unterminated [...]');
  c.i++;
  if (wide.length === 0) return `[${negated ? '^' : ''}${ascii.join('')}]`;
  if (negated) throw new UntranslatablePattern(c.src, 'a negated class holding non-ASCII characters');
  const parts = [...(ascii.length ? [`[${ascii.join('')}]`] : []), ...new Set(wide)];
  return `(?:${parts.join('|')})`;
}

function spansLetters(a: string, b: string): boolean {
  const [x, y] = [a.charCodeAt(0), b.charCodeAt(0)];
  return x <= 0x7a && y >= 0x41;
}

/** Translates one escape outside a class (the cursor is just past the backslash). */
function translateEscape(c: Cursor): string {
  const e = c.src[c.i++];
  if (e === undefined) throw new UntranslatablePattern(c.src, 'a trailing backslash');
  if ('dDsSwWbB'.includes(e)) return `\\${e}`;
  if (e === 'p') {
    const m = /^\{(L|Letter)\}/.exec(c.src.slice(c.i));
    if (!m) throw new UntranslatablePattern(c.src, 'a Unicode property class other than \\p{L}');
    c.i += m[0].length;
    return peekQuantified(c) && /^[*+]/.test(c.src.slice(c.i)) ? LETTER_BYTE : ONE_LETTER;
  }
  if (e === 'P') throw new UntranslatablePattern(c.src, 'a negated Unicode property class');
  if (e === 'k') throw new UntranslatablePattern(c.src, 'a named backreference');
  if (e === 'u' || e === 'x') return literal(readCodeEscape(c, e), peekQuantified(c));
  if (e === 't' || e === 'n' || e === 'r' || e === 'f' || e === 'v') return `\\${e}`;
  if (/[1-9]/.test(e)) return `\\${e}`;
  if (e === '0' || e === 'c') throw new UntranslatablePattern(c.src, `the escape \\${e}`);
  if (/[\\^$.*+?()[\]{}|/-]/.test(e)) return e === '-' ? '-' : `\\${e}`;
  throw new UntranslatablePattern(c.src, `the escape \\${e}`);
}

/** Translates a group opener (the cursor is just past `(`). */
function translateGroupOpen(c: Cursor): string {
  const rest = c.src.slice(c.i);
  if (rest.startsWith('?<=') || rest.startsWith('?<!'))
    throw new UntranslatablePattern(c.src, 'a lookbehind (std::regex has none)');
  if (rest.startsWith('?<')) throw new UntranslatablePattern(c.src, 'a named group (std::regex has none)');
  for (const open of ['?:', '?=', '?!']) {
    if (rest.startsWith(open)) {
      c.i += open.length;
      return `(${open}`;
    }
  }
  if (rest.startsWith('?')) throw new UntranslatablePattern(c.src, 'an inline flag group');
  return '(';
}

/**
 * The std::regex pattern (for a `lower()`-ed column) equivalent to the catalog's `/pattern/iu`.
 * Throws {@link UntranslatablePattern} for what osquery cannot run.
 */
export function toOsqueryRegex(pattern: string): string {
  const c: Cursor = { src: pattern, i: 0 };
  let out = '';
  while (c.i < pattern.length) {
    const cp = pattern.codePointAt(c.i) ?? 0;
    const ch = String.fromCodePoint(cp);
    c.i += ch.length;
    switch (ch) {
      case '\\':
        out += translateEscape(c);
        break;
      case '[':
        out += translateClass(c);
        break;
      case '(':
        out += translateGroupOpen(c);
        break;
      case ')':
      case '|':
      case '^':
      case '$':
      case '*':
      case '+':
      case '?':
        out += ch;
        break;
      case '{': {
        const m = /^\d+(,\d*)?\}/.exec(pattern.slice(c.i));
        if (!m) throw new UntranslatablePattern(pattern, 'a lone {');
        out += `{${m[0]}`;
        c.i += m[0].length;
        break;
      }
      case '.':
        out += /^[*+]/.test(pattern.slice(c.i)) ? '.' : ONE_CHAR;
        break;
      default:
        out += literal(ch, peekQuantified(c));
    }
  }
  const bytes = Buffer.byteLength(out, 'utf8');
  if (bytes > OSQUERY_REGEX_MAX_BYTES)
    throw new UntranslatablePattern(
      pattern,
      `its osquery form is ${bytes} bytes, over osquery's limit of ${OSQUERY_REGEX_MAX_BYTES} (regex_max_size)`,
    );
  return out;
}
