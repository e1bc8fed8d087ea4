import { expandTitleTemplate } from '../server/config-special.js';
import type { Server } from '../server/server.js';

/**
 * set-proc-title and proc-title-template for sluice-server (an embedded
 * server leaves its host's title alone): the title is set once listening
 * (the port is known then, even when 0 picked it) and again when CONFIG SET
 * changes the template. Node truncates a title longer than the command
 * line the process started with.
 */
export function keepProcTitle(server: Server, port: number): void {
  if (!server.config.bool('set-proc-title')) return;
  const apply = () => {
    const bind = server.config.str('bind').split(' ').filter(Boolean);
    const variables = new Map([
      ['title', 'sluice-server'],
      ['listen-addr', `${bind[0] ?? '*'}:${port}`],
      ['server-mode', ''],
      ['config-file', server.configFile ?? '-'],
      ['port', String(port)],
      ['tls-port', '0'],
      ['unixsocket', server.config.str('unixsocket')],
    ]);
    const title = expandTitleTemplate(server.config.str('proc-title-template'), variables);
    if (title !== null && title !== '') process.title = title;
  };
  apply();
  const previous = server.config.onChange;
  server.config.onChange = (name) => {
    previous(name);
    if (name === 'proc-title-template') apply();
  };
}
