import path from 'node:path';

/**
 * An ESLint rule: a module under src/ may import another only if the
 * folder ("element") it belongs to lists the other's element among its
 * allowed edges. Elements are matched by the longest path prefix, so a
 * sub-folder can be an element of its own with edges of its own. Relative
 * specifiers are resolved from the file, `.js` read as the `.ts` beside
 * it; type-only imports, re-exports and literal dynamic imports count the
 * same as plain ones, since each ties the two folders together.
 */
export const allowedImports = {
  meta: {
    type: 'problem',
    docs: { description: 'imports follow the allowed edges between source folders' },
    schema: [{
      type: 'object',
      properties: {
        root: { type: 'string' },
        elements: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
      },
      required: ['root', 'elements'],
      additionalProperties: false,
    }],
    messages: {
      forbidden: "{{from}} may not import {{to}} ('{{spec}}'); {{from}} may import: {{allowed}}",
      unplaced: '{{file}} is in no element of the allowed-edges list',
    },
  },
  create(context) {
    const { root, elements } = context.options[0];
    const srcRoot = path.resolve(context.cwd ?? process.cwd(), root);
    const prefixes = Object.keys(elements).sort((a, b) => b.length - a.length);
    const elementOf = (abs) => {
      const rel = path.relative(srcRoot, abs).split(path.sep).join('/');
      if (rel.startsWith('..')) return null;
      return prefixes.find((p) => rel === p || rel.startsWith(p.endsWith('/') ? p : `${p}/`) || rel === `${p}.ts`) ?? undefined;
    };
    const file = context.filename;
    const from = elementOf(file);
    if (from === null) return {};
    const check = (node, source) => {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const spec = source.value;
      if (!spec.startsWith('./') && !spec.startsWith('../')) return;
      const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
      const to = elementOf(target);
      if (to === null || to === undefined || to === from) return;
      const allowed = elements[from];
      if (!allowed.includes(to)) {
        context.report({ node, messageId: 'forbidden', data: { from, to, spec, allowed: allowed.join(', ') || 'nothing' } });
      }
    };
    return {
      Program(node) {
        if (from === undefined) context.report({ node, messageId: 'unplaced', data: { file: path.relative(srcRoot, file) } });
      },
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};
