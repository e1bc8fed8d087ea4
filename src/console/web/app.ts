import { ApiFailure, login, logout, session, setLoggedOutHandler } from './api.js';
import { errorBox, fill, h } from './dom.js';
import type { SessionInfo } from './types.js';
import type { View, ViewContext } from './view.js';
import { bullmq } from './views/bullmq.js';
import { keys } from './views/keys.js';
import { overview } from './views/overview.js';
import { pubsub } from './views/pubsub.js';
import { queues } from './views/queues.js';
import { slowlog } from './views/slowlog.js';
import { streams } from './views/streams.js';

const VIEWS: [route: string, label: string, view: View][] = [
  ['overview', 'Overview', overview],
  ['pubsub', 'Pub/sub', pubsub],
  ['streams', 'Streams', streams],
  ['queues', 'Queues', queues],
  ['bullmq', 'BullMQ', bullmq],
  ['keys', 'Keys', keys],
  ['slowlog', 'Slow log', slowlog],
];

const app = document.getElementById('app')!;
let db = Number(sessionStorage.getItem('sluice-db') ?? 0) || 0;
/** The view shown now: a new route ends it (its timers stop, its late answers are dropped). */
let current: { timers: number[]; ended: boolean } | null = null;

function showLogin(info: SessionInfo | null, message?: string): void {
  const user = h('input', { name: 'username', autocomplete: 'username', value: 'default' });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password' });
  const out = h('div');
  const form = h('form', { class: 'login', onsubmit: async (e: Event) => {
    e.preventDefault();
    try {
      shell(await login(user.value, pass.value));
    } catch (err) {
      fill(out, errorBox(err instanceof ApiFailure ? err.message : String(err)));
    }
  } },
  h('h2', null, 'Sluice console'),
  h('p', { class: 'muted' }, 'Log in as a user of the server (ACL).'),
  h('label', null, 'User', user), h('label', null, 'Password', pass),
  h('button', { type: 'submit' }, 'Log in'), out, message === undefined ? null : errorBox(message),
  info?.user ? h('p', null, h('a', { href: '#/overview', onclick: () => shell(info) }, `Back as ${info.user}`)) : null);
  fill(app, form);
  pass.focus();
}

function shell(info: SessionInfo): void {
  const main = h('main');
  const nav = h('nav', null, VIEWS.map(([route, label]) => h('a', { href: `#/${route}`, 'data-route': route }, label)));
  const dbInput = h('input', { type: 'number', min: 0, value: db, size: 3, 'aria-label': 'database', title: 'database' });
  dbInput.addEventListener('change', () => {
    db = Math.max(0, Number(dbInput.value) || 0);
    sessionStorage.setItem('sluice-db', String(db));
    route(main, nav);
  });
  const who = h('span', { class: 'who' }, 'db ', dbInput, ` · ${info.user ?? ''} `,
    h('button', { type: 'button', class: 'plain', onclick: () => showLogin(info) }, 'Switch user'),
    info.authRequired ? h('button', { type: 'button', class: 'plain', onclick: async () => { await logout(); showLogin(null); } }, 'Log out') : null);
  fill(app, h('header', null, h('h1', null, 'Sluice'), nav, who), main);
  window.onhashchange = () => route(main, nav);
  route(main, nav);
}

function route(main: HTMLElement, nav: HTMLElement): void {
  if (current !== null) {
    current.ended = true;
    for (const t of current.timers) clearInterval(t);
  }
  const state = { timers: [] as number[], ended: false };
  current = state;
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const entry = VIEWS.find(([r]) => r === path) ?? VIEWS[0];
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('on', a.dataset.route === entry[0]);
  fill(main, h('p', { class: 'muted' }, 'Loading…'));
  const ctx: ViewContext = {
    main,
    db,
    params: new URLSearchParams(query),
    every(ms, f) {
      let busy = false;
      state.timers.push(window.setInterval(async () => {
        if (busy || state.ended || document.hidden) return;
        busy = true;
        try {
          await f();
        } catch {
          // The next tick tries again; a lost session shows the login.
        } finally {
          busy = false;
        }
      }, ms));
    },
    live: () => !state.ended,
    go(r) {
      if (location.hash === r) route(main, nav);
      else location.hash = r;
    },
  };
  entry[2](ctx).catch((e: unknown) => {
    if (state.ended) return;
    const denied = e instanceof ApiFailure && e.denied;
    fill(main, h('h2', null, entry[1]), errorBox(`${denied ? 'Your user may not see this view: ' : ''}${e instanceof Error ? e.message : String(e)}`));
  });
}

async function start(): Promise<void> {
  setLoggedOutHandler(() => showLogin(null, 'The session ended: log in again.'));
  try {
    const info = await session();
    if (info.user === null) showLogin(info);
    else shell(info);
  } catch (e) {
    fill(app, errorBox(`The console cannot reach the server: ${String(e)}`));
  }
}

void start();
