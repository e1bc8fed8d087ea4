import type * as L from 'luaparse';
import type { Context } from './context.js';
import { expr, isMulti, stringLiteral, valuesOf } from './expressions.js';

/**
 * `{...}` as Lua 5.1 builds it: a table presized for the positional items
 * and the keyed fields (NEWTABLE's sizes), keyed fields stored as they come,
 * positional items stored together at the end (SETLIST), a last call or
 * `...` expanded into the array part. Fields are evaluated in source order.
 */
export function tableConstructor(cx: Context, node: L.TableConstructorExpression): string {
  const fields = node.fields;
  const n = fields.length;
  const last = n > 0 ? fields[n - 1] : undefined;
  const multiTail = last !== undefined && last.type === 'TableValue' && isMulti(cx, last.value);
  const positional = fields.filter((f) => f.type === 'TableValue').length - (multiTail ? 1 : 0);
  const keyed = n - fields.filter((f) => f.type === 'TableValue').length;

  if (keyed === 0) {
    const items = fields.slice(0, multiTail ? n - 1 : n).map((f) => expr(cx, (f as L.TableValue).value));
    const tail = multiTail ? `, ${valuesOf(cx, (last as L.TableValue).value)}` : '';
    return n === 0 ? 'tnew(0, 0)' : `tlist([${items.join(', ')}]${tail})`;
  }

  const t = cx.temp();
  const pending = cx.temp();
  const steps: string[] = [`${t} = tnew(${positional}, ${keyed})`, `${pending} = []`];
  fields.forEach((f, i) => {
    if (f.type === 'TableValue') {
      if (i === n - 1 && multiTail) steps.push(`tsetList(${t}, ${pending}, ${valuesOf(cx, f.value)})`);
      else steps.push(`${pending}.push(${expr(cx, f.value)})`);
      return;
    }
    const key = f.type === 'TableKeyString' ? stringLiteral(f.key.name) : expr(cx, f.key);
    steps.push(`tset(S, ${t}, ${key}, ${expr(cx, f.value)}, ${cx.site(cx.startLine(f))})`);
  });
  if (!multiTail) steps.push(`tsetList(${t}, ${pending}, $NONE)`);
  steps.push(t);
  return `(${steps.join(', ')})`;
}
