// What the newer browser tests share: the node's address, the screenshot folder, a
// headless Chromium, signing in as a demo account, and a form submit that waits for the
// page it leads to. (The older test files still carry their own copies.)

import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

/** The running node's base URL (run.sh sets ZHIJIAN_URL). */
export const base = (process.env.ZHIJIAN_URL || '').replace(/\/+$/, '');
/** The demo accounts' password. */
export const password = process.env.ZHIJIAN_PASSWORD || 'zhijian-demo';
/** Where screenshots go. */
export const shots = process.env.ZHIJIAN_SCREENSHOTS || mkdtempSync(join(tmpdir(), 'zhijian-shots-'));
mkdirSync(shots, { recursive: true });

/** The path of a screenshot called `name`. */
export const shot = (name) => join(shots, name);

/** Clicks and waits for the page the click leads to. */
export async function submitAndWait(page, clicker) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), clicker.click()]);
}

/** Starts headless Chromium; `as(username)` gives a signed-in page in a context of its own. */
export async function launch() {
  assert.ok(base, 'set ZHIJIAN_URL to the base URL of a running zhijian node');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
  });
  const as = async (username, viewport = { width: 1280, height: 900 }) => {
    const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    await submitAndWait(page, page.locator('form[action="/login"] button[type=submit]'));
    assert.equal(new URL(page.url()).pathname, '/console', `${username} signs in`);
    return page;
  };
  return { browser, as };
}

/** GETs a JSON API path with the page's session and checks it answered 200. */
export async function api(page, path) {
  const r = await page.request.get(`${base}${path}`);
  assert.equal(r.status(), 200, `${path}`);
  return r.json();
}

/** The flash message's text. */
export async function flash(page) {
  return (await page.locator('.flash').textContent()).trim();
}

/**
 * A unit the demo sold, of a batch that is not recalled, as the page's user sees the
 * events: `{ code, batch }`, or null. Sales come batch after batch, and other tests may
 * have recalled a demo batch, so it looks at every 50th sale of the first thousand.
 */
export async function soldUnitOfActiveBatch(page) {
  const sold = await api(page, '/epcis/events?EQ_bizStep=retail_selling&perPage=1000');
  const list = sold.epcisBody.queryResults.resultsBody.eventList;
  for (let i = 0; i < list.length; i += 50) {
    const code = list[i].epcList[0].split('/').pop().replace('urn:zhijian:code:', '');
    const unit = await api(page, `/api/v1/trace/code/${code}`);
    if (unit.batch && unit.batch.status === 'active') return { code, batch: unit.batch };
  }
  return null;
}
