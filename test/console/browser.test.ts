import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitFor } from '../bullmq/harness.js';
import { freePort, startSluice, type TestSluice } from '../helpers/servers.js';

/**
 * The console in a real browser: Debian's chromium, headless, driven by
 * playwright-core (nothing downloaded), against an embedded server holding
 * data of every kind. The page's scripts come from dist/: `npm run build`
 * first. CONSOLE_SCREENSHOTS=1 writes each view's picture for
 * docs/console.md.
 */
const CHROMIUM = '/usr/bin/chromium';
const XSS = '<img src=x onerror=alert(1)>';
const SHOTS = process.env.CONSOLE_SCREENSHOTS === '1' ? path.resolve('docs/console') : null;
const BUILT = path.resolve(import.meta.dirname, '../../dist/console/web/app.js');
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn('NOTE: /usr/bin/chromium is not installed: the console\'s browser tests are skipped. .ci/run installs it.');

let s: TestSluice;
let redis: Redis;
let blocker: Redis;
let sub: Redis;
let queue: Queue;
let worker: Worker;
let failing = true;
let profile: string;
let browser: BrowserContext;
/** Alerts, confirms and prompts the page opened: a script injected through data would show here. */
const dialogs: string[] = [];

async function newPage(): Promise<Page> {
  const page = await browser.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.setViewportSize({ width: 1280, height: 800 });
  return page;
}

async function login(page: Page, user: string, password: string): Promise<void> {
  // Each test logs in afresh: the profile's cookie would open the last test's session.
  await browser.clearCookies();
  await page.goto(s.consoleUrl!);
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('header nav');
}

/** A new page logged in as the administrator, on one view. */
async function adminOn(route: string): Promise<Page> {
  const page = await newPage();
  await login(page, 'default', 'adminpw');
  await page.goto(`${s.consoleUrl}#/${route}`);
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS === null) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  if (!existsSync(BUILT)) throw new Error('the console page is not built: run npm run build first');
  s = await startSluice({ consolePort: await freePort(), config: { requirepass: 'adminpw', 'slowlog-log-slower-than': 0, 'latency-monitor-threshold': 1 } });
  redis = new Redis({ port: s.port, host: '127.0.0.1', password: 'adminpw' });
  await redis.call('ACL', 'SETUSER', 'nokeys', 'on', '>pw', '+@all', '-@keyspace', '~*', '&*');
  await redis.call('ACL', 'SETUSER', 'reader', 'on', '>pw', '+@read', '+info', '+select', '~*', '&*');
  await redis.set(XSS, '<script>alert(2)</script>');
  await redis.set('user:1:name', 'Ada');
  await redis.hset('user:1', { name: 'Ada', email: 'ada@example.com' });
  await redis.sadd('tags', 'red', 'green');
  await redis.zadd('scores', 10, 'ada', 20, 'bob');
  await redis.rpush('jobs', 'a', 'b', 'c');
  await redis.set(Buffer.from([0x62, 0x69, 0x6e, 0xff]), 'binary name');
  for (let i = 1; i <= 5; i++) await redis.xadd('orders', `${i}-0`, 'item', `book ${i}`);
  await redis.xgroup('CREATE', 'orders', 'billing', '0');
  await redis.xreadgroup('GROUP', 'billing', 'alice', 'COUNT', '2', 'STREAMS', 'orders', '>');
  blocker = new Redis({ port: s.port, host: '127.0.0.1', password: 'adminpw' });
  void blocker.blpop('tasks', 0).catch(() => {});
  sub = new Redis({ port: s.port, host: '127.0.0.1', password: 'adminpw' });
  await sub.subscribe('news');
  await sub.psubscribe('news.*');
  const connection = { host: '127.0.0.1', port: s.port, password: 'adminpw', maxRetriesPerRequest: null };
  queue = new Queue('emails', { connection });
  worker = new Worker('emails', async (job) => {
    await job.log(`sending to ${job.data.to}`);
    if (failing) throw new Error('mail server unreachable');
    return 'sent';
  }, { connection });
  await queue.add('welcome', { to: 'ada@example.com' });
  await queue.add('welcome', { to: 'bob@example.com' });
  await waitFor('both jobs to fail', async () => (await queue.getFailedCount()) === 2);
  await waitFor('the client blocked on tasks', () => s.server.blocking.waitingOn(s.server.keyspace.db(0), 'tasks') === 1);
  profile = mkdtempSync(path.join(os.tmpdir(), 'sluice-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  await worker?.close(true);
  await queue?.close();
  for (const c of [redis, blocker, sub]) c?.disconnect();
  await s?.close();
});

// A browser on a busy machine (the whole suite at once) takes its time: each test gets a minute.
describe.skipIf(!HAVE_CHROMIUM)('the console in Chromium', { timeout: 60_000 }, () => {
  test('a wrong password is refused; the right one opens the Overview with its figures and charts', async () => {
    const page = await newPage();
    await browser.clearCookies();
    await page.goto(s.consoleUrl!);
    await page.fill('input[name=username]', 'default');
    await page.fill('input[name=password]', 'wrong');
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('.login .error');
    expect(await page.textContent('.login .error')).toMatch(/invalid username-password pair/);
    await shot(page, 'login');
    await page.fill('input[name=password]', 'adminpw');
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('text=Commands per second');
    expect(await page.textContent('main')).toContain('master');
    expect(await page.locator('svg.chart').count()).toBe(3);
    expect(await page.textContent('main')).toContain('Persistence');
    // A few samples for the charts to draw (one every two seconds).
    await page.waitForFunction(() => (document.querySelector('svg.chart polyline')?.getAttribute('points') ?? '').split(' ').length >= 3, null, { timeout: 15_000 });
    await shot(page, 'overview');
    await page.close();
  });

  test('Pub/sub shows the channels, patterns and subscribed clients', async () => {
    const page = await adminOn('pubsub');
    await page.waitForSelector('text=Subscribed clients');
    await redis.publish('news', 'hello');
    await redis.publish('news.eu', 'bonjour');
    await page.waitForFunction(() => [...document.querySelectorAll('main tr')].some((tr) => tr.textContent?.startsWith('news11')), null, { timeout: 10_000 });
    const text = (await page.textContent('main'))!;
    expect(text).toContain('news.*');
    await shot(page, 'pubsub');
    await page.close();
  });

  test('Streams shows each stream, its groups with lag, a consumer\'s pending entries and a range', async () => {
    const page = await adminOn('streams');
    await page.locator('tr.pick', { hasText: 'orders' }).first().click();
    await page.waitForSelector('text=Consumer groups');
    const group = page.locator('tr.pick', { hasText: 'billing' }).first();
    expect(await group.textContent()).toContain('2-0');
    await page.locator('tr.pick', { hasText: 'alice' }).click();
    await page.waitForSelector('text=Pending entries of');
    expect(await page.textContent('main')).toContain('book 1');
    await shot(page, 'streams');
    await page.close();
  });

  test('Queues shows the lists and the client blocked on one', async () => {
    const page = await adminOn('queues');
    await page.waitForSelector('text=Blocked clients');
    const text = (await page.textContent('main'))!;
    expect(text).toContain('jobs');
    expect(text).toContain('blpop');
    await shot(page, 'queues');
    await page.close();
  });

  test('BullMQ shows the queue and its failed jobs; Retry runs a failed job again', async () => {
    const page = await adminOn('bullmq');
    const failed = page.locator('a[data-state=failed]').first();
    await failed.waitFor();
    expect(await failed.textContent()).toBe('2');
    await failed.click();
    await page.locator('tr.pick', { hasText: 'mail server unreachable' }).first().click();
    await page.waitForSelector('text=Stack traces');
    expect(await page.textContent('main')).toContain('sending to');
    await shot(page, 'bullmq');
    const id = (await queue.getFailed()).map((j) => j.id!);
    failing = false;
    await page.click('button:has-text("Retry")');
    await page.waitForSelector('text=Done.');
    await waitFor('a retried job to complete', async () => (await queue.getCompletedCount()) === 1);
    expect(id).toContain((await queue.getCompleted())[0].id);
    // The outcome stays in sight after the list is redrawn without the job.
    await page.locator('h3', { hasText: 'failed (1,' }).waitFor();
    expect(await page.textContent('main')).toContain('Done.');
    await page.close();
  });

  test('Keys lists names holding HTML as text, and shows each value', async () => {
    const page = await adminOn('keys');
    const row = page.locator('tr.pick', { hasText: XSS });
    await row.waitFor();
    expect(await page.locator('main img').count()).toBe(0);
    await row.click();
    await page.waitForSelector('text=<script>alert(2)</script>');
    expect(await page.locator('main script').count()).toBe(0);
    await shot(page, 'keys');
    expect(await page.textContent('main')).toContain('bin\\xff');
    await page.locator('tr.pick', { hasText: 'scores' }).click();
    await page.locator('h3', { hasText: 'Key scores' }).waitFor();
    expect(await page.locator('.card', { hasText: 'Type' }).first().textContent()).toBe('Typezset');
    await page.fill('input[name=pattern]', 'user:*');
    await page.selectOption('select[name=type]', 'hash');
    await page.click('form.bar button[type=submit]');
    // The filtered list has only the hash: until it is drawn, the string user:1:name matches 'user:1' too.
    await page.locator('tr.pick', { hasText: 'user:1:name' }).waitFor({ state: 'detached' });
    await page.locator('tr.pick', { hasText: 'user:1' }).click();
    await page.waitForSelector('text=ada@example.com');
    await page.goto(`${s.consoleUrl}#/slowlog`);
    await page.waitForSelector('text=Latency events');
    expect(await page.textContent('main')).toContain('SCAN 0 MATCH user:* TYPE hash');
    await shot(page, 'slowlog');
    expect(dialogs).toEqual([]);
    await page.close();
  });

  test('a user without the keyspace commands sees no key names; a user without EVAL cannot retry', async () => {
    const page = await newPage();
    await login(page, 'nokeys', 'pw');
    await page.goto(`${s.consoleUrl}#/keys`);
    await page.waitForSelector('text=Your user may not see this view');
    const text = (await page.textContent('main'))!;
    for (const name of ['user:1', 'orders', 'jobs', 'tags']) expect(text).not.toContain(name);
    await page.goto(`${s.consoleUrl}#/bullmq`);
    await page.waitForSelector('text=Your user may not see this view');
    await page.click('text=Switch user');
    await page.fill('input[name=username]', 'reader');
    await page.fill('input[name=password]', 'pw');
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('header nav');
    await page.goto(`${s.consoleUrl}#/bullmq`);
    await page.locator('button', { hasText: 'Pause' }).first().click();
    await page.waitForSelector('text=Not permitted');
    expect(await queue.isPaused()).toBe(false);
    await page.close();
  });
});
