// A walk through the zhijian console in headless Chromium, as an officer would do it:
// log in, search by a Chinese name fragment, open the archive, take a licence one step,
// switch to English, see a forged form refused, and check the phone layout.
//
// It starts nothing itself: run.sh (beside this file) starts a demo node and sets
//   ZHIJIAN_URL       base URL of a running node, e.g. http://127.0.0.1:8080
//   ZHIJIAN_USER      an officer account (default officer-130000, from `zhijian demo`)
//   ZHIJIAN_PASSWORD  its password (default zhijian-demo)
// Screenshots go to ZHIJIAN_SCREENSHOTS, or a fresh temporary folder (printed at the end).
//
//   node --test console.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = (process.env.ZHIJIAN_URL || '').replace(/\/+$/, '');
const username = process.env.ZHIJIAN_USER || 'officer-130000';
const password = process.env.ZHIJIAN_PASSWORD || 'zhijian-demo';
const shots = process.env.ZHIJIAN_SCREENSHOTS || mkdtempSync(join(tmpdir(), 'zhijian-shots-'));
mkdirSync(shots, { recursive: true });

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// The state each licence action leads to (crates/core/src/licence.rs).
const NEXT_STATE = {
  accept: 'accepted',
  review: 'under_review',
  approve: 'approved',
  reinstate: 'issued',
  suspend: 'suspended',
  change: 'issued',
  renew: 'issued',
  refuse: 'refused',
  revoke: 'revoked',
  cancel: 'cancelled',
};
// Preferred actions first: those that need no input, then those that leave the licence
// able to take further steps (so the CSRF check below still finds a form).
const PREFERENCE = ['accept', 'review', 'approve', 'reinstate', 'suspend', 'change', 'renew'];
// Licence states to look for, so the enterprise picked has a licence with an action.
const SEARCH_STATES = ['applied', 'accepted', 'under_review', 'approved', 'suspended', 'issued'];

const CJK = /[\u3400-\u9fff]/;

async function shot(page, name, fullPage = true) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage });
}

/** Clicks `clicker` (a link or a submit button) and waits for the page it leads to;
 * returns the response of that page (after any redirect). */
async function submitAndWait(page, clicker) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), clicker.click()]);
  return response;
}

/** Facts about one licence card on the archive page. */
async function licenceCard(page, id) {
  const card = page.locator(`article.licence[data-licence="${id}"]`);
  return {
    card,
    state: await card.getAttribute('data-state'),
    events: await card.locator('tbody tr').count(),
  };
}

test('the console, walked through in Chromium', { timeout: 180_000 }, async (t) => {
  assert.ok(base, 'set ZHIJIAN_URL to the base URL of a running zhijian node');
  const profile = mkdtempSync(join(tmpdir(), 'zhijian-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  context.setDefaultTimeout(20_000);
  const page = context.pages()[0] ?? (await context.newPage());
  // Facts learnt by one step and used by the next.
  let name = '';
  let archiveUrl = '';
  let licenceId = '';

  try {
    await t.test('log in', async () => {
      await page.goto(`${base}/console`);
      assert.match(new URL(page.url()).pathname, /^\/login$/, 'an anonymous visitor is sent to the login page');
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN', 'Chinese by default');
      await shot(page, '01-login');
      await page.fill('input[name=username]', username);
      await page.fill('input[name=password]', password);
      await submitAndWait(page, page.locator('form[action="/login"] button[type=submit]'));
      assert.equal(new URL(page.url()).pathname, '/console');
      assert.match(await page.textContent('h1'), new RegExp(username));
      await shot(page, '02-dashboard');
    });

    await t.test('search an enterprise by a Chinese substring of its name', async () => {
      // Find an enterprise whose licence can take a step, then search for it by name.
      for (const state of SEARCH_STATES) {
        await page.goto(`${base}/console/enterprises?licence_state=${state}`);
        const first = page.locator('table tbody tr td.cell-title a').first();
        if (await first.count()) {
          name = (await first.textContent()).trim();
          break;
        }
      }
      assert.ok(name, 'the node has an enterprise with a licence that can take a step');
      const chars = [...name];
      // A fragment from inside the name (not the city prefix alone), all Chinese.
      const fragment = chars.slice(2, 6).join('');
      assert.ok([...fragment].every((c) => CJK.test(c)), `a Chinese fragment of ${name}: ${fragment}`);

      await page.goto(`${base}/console/enterprises`);
      await page.fill('input[name=q]', fragment);
      await submitAndWait(page, page.locator('form[role=search] button[type=submit]'));
      assert.equal(new URL(page.url()).searchParams.get('q'), fragment);
      const names = (await page.locator('table tbody td.cell-title').allTextContents()).map((s) => s.trim());
      assert.ok(names.length > 0, 'the search finds something');
      assert.ok(names.includes(name), `${name} is among the results`);
      for (const n of names) assert.ok(n.includes(fragment), `${n} matches ${fragment}`);
      await shot(page, '03-search');

      // Nothing matches: the page says so.
      await page.goto(`${base}/console/enterprises?q=${encodeURIComponent('不存在的企业名称')}`);
      assert.equal(await page.locator('table').count(), 0);
      assert.match(await page.textContent('main'), /没有符合条件的企业/);
      await page.goBack();
    });

    await t.test('open its archive', async () => {
      await submitAndWait(page, page.locator('td.cell-title a', { hasText: name }).first());
      archiveUrl = page.url();
      assert.match(new URL(archiveUrl).pathname, /^\/console\/enterprises\/[0-9A-Z]{18}$/);
      assert.equal((await page.textContent('h1')).trim(), name);
      for (const section of ['#basic', '#licences', '#products', '#records', '#history']) {
        assert.equal(await page.locator(section).count(), 1, `the archive has ${section}`);
      }
      await shot(page, '04-archive');
    });

    await t.test('take a licence one step and see the flash and the new state', async () => {
      const forms = await page
        .locator('article.licence [data-action]')
        .evaluateAll((els) =>
          els.map((el) => ({ action: el.dataset.action, licence: el.closest('article').dataset.licence })),
        );
      assert.ok(forms.length > 0, 'some licence of this enterprise has an action form');
      const pick =
        PREFERENCE.map((a) => forms.find((f) => f.action === a)).find(Boolean) ?? forms[0];
      licenceId = pick.licence;
      const before = await licenceCard(page, licenceId);
      const form = before.card.locator(`[data-action="${pick.action}"]`);
      if ((await form.evaluate((el) => el.tagName)) === 'DETAILS') {
        await form.locator('summary').click();
        const reason = form.locator('textarea[name=reason]');
        if (await reason.count()) await reason.fill('浏览器测试：现场检查发现问题，依法处理');
        const until = form.locator('input[name=valid_until]');
        if (await until.count()) await until.fill('2099-12-31');
        const from = form.locator('input[name=valid_from]');
        if (await from.count()) await from.fill('2025-01-01');
      }
      await submitAndWait(page, form.locator('button[type=submit]'));
      assert.equal(page.url().split('#')[0], archiveUrl, 'back on the archive');
      const flash = page.locator('.flash');
      assert.equal(await flash.getAttribute('class'), 'flash flash-ok', await flash.textContent());
      assert.match(await flash.textContent(), /已办理/);
      const after = await licenceCard(page, licenceId);
      assert.equal(after.state, NEXT_STATE[pick.action] ?? after.state, `${pick.action} leads to its state`);
      assert.equal(after.events, before.events + 1, 'one more event in the history');
      await shot(page, '05-transition');

      // The flash is shown once.
      await page.reload();
      assert.equal(await page.locator('.flash').count(), 0);
    });

    await t.test('switch to English and see English labels', async () => {
      await submitAndWait(page, page.locator('a.lang-switch'));
      assert.equal(page.url().split('#')[0], archiveUrl, 'the switch comes back to the same page');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.match(await page.textContent('.mainnav'), /Dashboard[\s\S]*Enterprises/);
      assert.match(await page.textContent('#licences h2'), /Production licences/);
      assert.match(await page.textContent('#basic h2'), /Basic data/);
      // Every label of the frame and the section headings is English (data stays Chinese).
      const labels = await page
        .locator('.mainnav, .tools button, .section-nav, h2, thead, dt, .sub-title, summary, .footer')
        .allTextContents();
      for (const text of labels) assert.ok(!CJK.test(text), `English label: ${text.trim()}`);
      await shot(page, '06-english');
      await page.goto(`${base}/console`);
      assert.match(await page.textContent('h1'), /^Hello, /);
    });

    await t.test('a form with a tampered CSRF token is refused and changes nothing', async () => {
      await page.goto(archiveUrl);
      const forms = page.locator('article.licence form[action$="/transition"]');
      assert.ok((await forms.count()) > 0, 'a licence form to tamper with');
      const form = forms.first();
      const id = await form.evaluate((el) => el.closest('article').dataset.licence);
      const before = await licenceCard(page, id);
      const [response] = await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        form.evaluate((el) => {
          el.querySelector('input[name=csrf]').value = 'tampered-token';
          // Fill whatever the action needs, so only the token can be why it is refused.
          el.querySelectorAll('textarea[name=reason]').forEach((x) => (x.value = 'tampered'));
          el.querySelectorAll('input[type=date]').forEach((x) => (x.value = '2099-12-31'));
          el.querySelectorAll('input[name=number]').forEach((x) => (x.value = 'SC10000000000000'));
          el.requestSubmit();
        }),
      ]);
      assert.equal(response.status(), 403);
      assert.match(await page.textContent('main'), /Refused[\s\S]*Nothing was changed/);
      await shot(page, '07-csrf-refused');
      await page.goto(archiveUrl);
      const after = await licenceCard(page, id);
      assert.deepEqual([after.state, after.events], [before.state, before.events], 'nothing changed');
    });

    await t.test('the phone layout has no horizontal overflow', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      for (const [label, url] of [
        ['08-phone-dashboard', `${base}/console`],
        ['09-phone-search', `${base}/console/enterprises`],
        ['10-phone-archive', archiveUrl],
      ]) {
        await page.goto(url);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 390, `${label}: page is ${width}px wide on a 390px screen`);
        await shot(page, label);
      }
      // Tables become stacked label–value cards rather than scrolling sideways.
      await page.goto(`${base}/console/enterprises`);
      const display = await page.locator('table tbody tr').first().evaluate((el) => getComputedStyle(el).display);
      assert.equal(display, 'block');
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    await t.test('log out', async () => {
      await page.goto(`${base}/console`);
      await submitAndWait(page, page.locator('form[action="/logout"] button'));
      assert.equal(new URL(page.url()).pathname, '/login');
      assert.match(await page.textContent('main'), /signed out/);
      await page.goto(`${base}/console`);
      assert.equal(new URL(page.url()).pathname, '/login', 'the session is gone');
    });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    console.log(`screenshots: ${shots}`);
  }
});
