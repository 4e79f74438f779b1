// @ts-check
/**
 * `divest/layers`: one table of layers and what each may import, checked on every import form
 * (import and export ... from, `import type`, dynamic `import()`, `require()`, `import x = require()`,
 * `typeof import()` and `/// <reference types>`).
 *
 * The table is the rule's option (see eslint.config.js):
 *
 *   { guarded: [module, ...], layers: [{ name, files: [glob, ...], may: [entry, ...] }, ...] }
 *
 * A file belongs to the first layer whose `files` match its path from the repository root (`*` is
 * any characters within one path segment, `**` any depth). A file in no layer is itself an error,
 * so a new folder has to be placed in the table. Each `may` entry is one of:
 *   - a layer name: relative imports that resolve into that layer;
 *   - `'node:*'`: Node's built-in modules (with or without the `node:` prefix), `'npm'`: any other
 *     package, `'*'`: anything at all;
 *   - a module name (`'zod'`, `'node:child_process'`): that package (and its subpaths) or built-in;
 *   - an object `{ layer | module, typeOnly?, only?, except? }`: `typeOnly` allows `import type` /
 *     `export type` declarations only; `only` / `except` restrict the names imported from a module
 *     (a namespace, default or dynamic import counts as every name).
 * `guarded` modules are never covered by `'node:*'` or `'npm'`: a layer must name them.
 *
 * Written for this project after VS Code's `local/code-layering` rule; it needs nothing but Node.
 */
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

/**
 * @typedef {{ layer?: string, module?: string, typeOnly?: boolean, only?: string[], except?: string[] }} Grant
 * @typedef {{ name: string, files: string[], may: (string | Grant)[] }} Layer
 * @typedef {{ guarded?: string[], layers: Layer[] }} Options
 * @typedef {{ kind: 'layer', layer: string, shown: string }
 *   | { kind: 'module', module: string, shown: string }
 *   | { kind: 'outside', shown: string }} Target
 * @typedef {{ typeOnly: boolean, names: string[] | null }} Use  (names null: every name)
 */

const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));
const RESOLVE_SUFFIXES = [
  '.ts',
  '.tsx',
  '.d.ts',
  '.js',
  '.mjs',
  '.cjs',
  '/index.ts',
  '/index.tsx',
  '/index.js',
];

/** @param {string} glob */
export function globToRegExp(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '*' && glob.charAt(i + 1) === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * A bare specifier's module: `node:fs` for built-ins, the package name (scope included) otherwise.
 * @param {string} spec
 */
export function moduleOf(spec) {
  const prefixed = spec.startsWith('node:');
  const bare = prefixed ? spec.slice(5) : spec;
  const first = bare.split('/')[0] ?? bare;
  if (prefixed || BUILTINS.has(first)) return `node:${first}`;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : first;
}

/** @param {string} p */
const toPosix = (p) => p.split(path.sep).join('/');

/** @param {string} p a path relative to the root */
const isOutside = (p) => p === '..' || p.startsWith('../') || path.isAbsolute(p);

/**
 * The names an import or export declaration takes from its module; null when it takes them all.
 * @param {any[]} specifiers
 * @returns {string[] | null}
 */
function namesOf(specifiers) {
  /** @type {string[]} */
  const names = [];
  for (const s of specifiers) {
    if (s.type === 'ImportNamespaceSpecifier' || s.type === 'ImportDefaultSpecifier') return null;
    const id = s.type === 'ExportSpecifier' ? s.local : s.imported;
    const name = id?.type === 'Identifier' ? id.name : id?.value;
    if (typeof name !== 'string' || name === 'default') return null;
    names.push(name);
  }
  return names;
}

/**
 * A string literal's value, or null for anything computed.
 * @param {any} node
 * @returns {string | null}
 */
function literalValue(node) {
  if (node?.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node?.type === 'TemplateLiteral' && node.expressions.length === 0)
    return node.quasis[0]?.value.cooked ?? null;
  return null;
}

const GRANT_SCHEMA = {
  anyOf: [
    { type: 'string' },
    {
      type: 'object',
      properties: {
        layer: { type: 'string' },
        module: { type: 'string' },
        typeOnly: { type: 'boolean' },
        only: { type: 'array', items: { type: 'string' } },
        except: { type: 'array', items: { type: 'string' } },
      },
      additionalProperties: false,
    },
  ],
};

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Each layer imports only what the layer table allows.' },
    schema: [
      {
        type: 'object',
        properties: {
          guarded: { type: 'array', items: { type: 'string' } },
          layers: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                name: { type: 'string' },
                files: { type: 'array', items: { type: 'string' }, minItems: 1 },
                may: { type: 'array', items: GRANT_SCHEMA },
              },
              required: ['name', 'files', 'may'],
              additionalProperties: false,
            },
          },
        },
        required: ['layers'],
        additionalProperties: false,
      },
    ],
    messages: {
      unplaced: '{{file}} is in no layer of the layer table (eslint.config.js): place it in one.',
      forbidden: 'Layer {{layer}} may not import {{target}}. {{layer}} may import: {{allowed}}.',
      typeOnly: 'Layer {{layer}} may import {{target}} with `import type` only.',
      names: 'Layer {{layer}} may not import {{names}} from {{target}}{{restriction}}.',
      computed:
        'Layer {{layer}}: a computed import() or require() cannot be checked against the layer table.',
    },
  },

  create(context) {
    const options = /** @type {Options} */ (context.options[0]);
    const cwd = context.cwd;
    const file = toPosix(path.relative(cwd, context.filename));
    if (isOutside(file)) return {};

    const table = options.layers.map((l) => ({ ...l, patterns: l.files.map(globToRegExp) }));
    /** @param {string} p */
    const layerOf = (p) => table.find((l) => l.patterns.some((re) => re.test(p)));
    const guarded = new Set(options.guarded ?? []);
    const here = layerOf(file);

    if (!here) {
      return {
        Program(node) {
          context.report({ node, messageId: 'unplaced', data: { file } });
        },
      };
    }
    /** @type {Grant[]} */
    const grants = here.may.map((g) =>
      typeof g !== 'string' ? g : table.some((l) => l.name === g) ? { layer: g } : { module: g },
    );
    if (grants.some((g) => g.module === '*')) return {};
    const layer = here.name;
    const allowed = here.may
      .map((g) => (typeof g === 'string' ? g : `${g.layer ?? g.module}${g.typeOnly ? ' (types only)' : ''}`))
      .join(', ');

    /**
     * @param {string} spec
     * @returns {Target}
     */
    function targetOf(spec) {
      if (!spec.startsWith('.') && !spec.startsWith('/'))
        return { kind: 'module', module: moduleOf(spec), shown: `'${spec}'` };
      const joined = toPosix(path.relative(cwd, path.resolve(path.dirname(context.filename), spec)));
      if (isOutside(joined)) return { kind: 'outside', shown: `'${spec}' (outside the repository)` };
      // The file the specifier names: one on disk, else a .ts file of that name.
      const candidates = [joined, ...RESOLVE_SUFFIXES.map((s) => joined + s)];
      const onDisk = candidates.find((c) => path.extname(c) !== '' && existsSync(path.join(cwd, c)));
      const resolved = onDisk ?? (path.extname(joined) ? joined : `${joined}.ts`);
      const target = layerOf(resolved);
      return target
        ? { kind: 'layer', layer: target.name, shown: `'${spec}' (layer ${target.name})` }
        : { kind: 'outside', shown: `'${spec}' (in no layer)` };
    }

    /**
     * @param {Grant} g
     * @param {Target} t
     */
    function covers(g, t) {
      if (t.kind === 'layer') return g.layer === t.layer;
      if (t.kind !== 'module' || g.module === undefined) return false;
      if (g.module === 'npm') return !t.module.startsWith('node:') && !guarded.has(t.module);
      if (g.module === 'node:*') return t.module.startsWith('node:') && !guarded.has(t.module);
      return moduleOf(g.module) === t.module;
    }

    /**
     * @param {Grant} g
     * @param {Use} use
     * @returns {string[]} the names g does not allow
     */
    function deniedNames(g, use) {
      if (!g.only && !g.except) return [];
      if (use.names === null) return ['* (every name)'];
      const { only, except } = g;
      return use.names.filter((n) => (only ? !only.includes(n) : (except ?? []).includes(n)));
    }

    /**
     * @param {import('eslint').Rule.ReportDescriptorLocation} where
     * @param {string} spec
     * @param {Use} use
     */
    function check(where, spec, use) {
      const target = targetOf(spec);
      const data = { layer, target: target.shown, allowed };
      const matching = grants.filter((g) => covers(g, target));
      if (matching.length === 0) return context.report({ ...where, messageId: 'forbidden', data });
      const usable = matching.filter((g) => !g.typeOnly || use.typeOnly);
      if (usable.length === 0) return context.report({ ...where, messageId: 'typeOnly', data });
      const denials = usable.map((g) => ({ g, denied: deniedNames(g, use) }));
      const refused = denials.find((d) => d.denied.length > 0);
      if (denials.some((d) => d.denied.length === 0) || !refused) return;
      const { only, except } = refused.g;
      const restriction = only ? ` (only ${only.join(', ')})` : ` (not ${(except ?? []).join(', ')})`;
      context.report({
        ...where,
        messageId: 'names',
        data: { ...data, names: refused.denied.join(', '), restriction },
      });
    }

    /**
     * @param {any} node
     * @param {any} source
     * @param {Use} use
     */
    function checkSource(node, source, use) {
      const spec = literalValue(source);
      if (spec === null) context.report({ node, messageId: 'computed', data: { layer } });
      else check({ node }, spec, use);
    }

    return {
      /** @param {any} node */
      ImportDeclaration(node) {
        const names = node.specifiers.length === 0 ? [] : namesOf(node.specifiers);
        check({ node }, node.source.value, { typeOnly: node.importKind === 'type', names });
      },
      /** @param {any} node */
      ExportNamedDeclaration(node) {
        if (!node.source) return;
        check({ node }, node.source.value, {
          typeOnly: node.exportKind === 'type',
          names: namesOf(node.specifiers),
        });
      },
      /** @param {any} node */
      ExportAllDeclaration(node) {
        check({ node }, node.source.value, { typeOnly: node.exportKind === 'type', names: null });
      },
      /** @param {any} node */
      ImportExpression(node) {
        checkSource(node, node.source, { typeOnly: false, names: null });
      },
      /** @param {any} node */
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length > 0)
          checkSource(node, node.arguments[0], { typeOnly: false, names: null });
      },
      /** @param {any} node */
      TSImportEqualsDeclaration(node) {
        if (node.moduleReference.type !== 'TSExternalModuleReference') return;
        checkSource(node, node.moduleReference.expression, {
          typeOnly: node.importKind === 'type',
          names: null,
        });
      },
      /** @param {any} node */
      TSImportType(node) {
        const arg = node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument;
        checkSource(node, arg, { typeOnly: true, names: null });
      },
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          const m = /^\/\s*<reference\s+types\s*=\s*["']([^"']+)["']/.exec(comment.value);
          if (comment.type !== 'Line' || !m?.[1] || !comment.loc) continue;
          const where = { loc: comment.loc };
          // `types="node"` brings in every built-in's types: only where 'node:*' is allowed.
          if (m[1] !== 'node') check(where, m[1], { typeOnly: true, names: null });
          else if (!grants.some((g) => g.module === 'node:*'))
            context.report({
              ...where,
              messageId: 'forbidden',
              data: { layer, target: 'Node types', allowed },
            });
        }
      },
    };
  },
};

export default {
  meta: { name: 'divest' },
  rules: { layers: layersRule },
};
