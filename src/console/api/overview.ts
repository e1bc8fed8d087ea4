import { str } from '../replies.js';
import type { Session } from '../session.js';
import type { Overview, Sample } from '../web/types.js';

/** INFO's text as sections of fields. */
export function parseInfo(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) {
      current = sections[line.slice(2).trim().toLowerCase()] = {};
    } else if (line !== '') {
      const colon = line.indexOf(':');
      if (colon > 0) current[line.slice(0, colon)] = line.slice(colon + 1);
    }
  }
  return sections;
}

/** The Overview: INFO run as the user (so the ACL decides whether it is shown), and the chart's history. */
export async function overview(s: Session, history: readonly Sample[]): Promise<Overview> {
  const info = parseInfo(str(await s.call('INFO', 'default')));
  return { info, history: [...history] };
}
