// The public verification page in headless Chromium, as a shopper would use it: type a
// code from a label into /q and read the verdict. The test prepares its own codes through
// the JSON API (it relies on no demo codes): enterprise-1 applies for 50 codes,
// officer-130000 approves, printer-1 prints and confirms them, and enterprise-1 activates
// some on a good batch (A), some on a batch it then recalls (B), some on a batch whose
// expiry date has passed (C), and leaves the rest unactivated.
//
// It starts nothing itself: run.sh (beside this file) starts a demo node with the
// verification rate limit off and sets
//   ZHIJIAN_URL       base URL of a running node, e.g. http://127.0.0.1:8080
// The demo's accounts are used (password ZHIJIAN_PASSWORD, default zhijian-demo).
// Screenshots go to ZHIJIAN_SCREENSHOTS, or a fresh temporary folder (printed at the end).
//
//   node --test verify.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = (process.env.ZHIJIAN_URL || '').replace(/\/+$/, '');
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

// The Damm quasigroup (crates/core/src/code/damm.rs): TABLE[interim][digit].
const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/** The Damm check digit of a string of digits. */
function damm(digits) {
  let interim = 0;
  for (const d of digits) interim = DAMM[interim][Number(d)];
  return String(interim);
}

/** The same code with its check digit changed: a typing error the check digit catches. */
function mistype(code) {
  const last = Number(code.at(-1));
  return code.slice(0, -1) + String((last + 1) % 10);
}

/** `13409250…` → `1340 9250 …`, as printed under a label's barcode. */
function grouped(code) {
  return code.match(/.{1,4}/g).join(' ');
}

/** ASCII digits → full-width digits (what a phone's Chinese keyboard may give). */
function fullWidth(code) {
  return [...code].map((c) => String.fromCharCode(c.charCodeAt(0) - 0x30 + 0xff10)).join('');
}

/** `YYYY-MM-DD`, `days` from today. */
function day(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** A JSON API call; fails the test with the problem's text on an unexpected status. */
async function api(method, path, token, body, expect = [200, 201]) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(expect.includes(res.status), `${method} ${path} → ${res.status}: ${text}`);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A bearer token for a demo account (`POST /api/v1/login` → `{token, user}`). */
async function login(username) {
  const answer = await api('POST', '/api/v1/login', null, { username, password }, [200]);
  assert.ok(answer.token, `a token for ${username}`);
  return answer.token;
}

/** The credit code of the printer `username` belongs to. `GET /api/v1/me` names the
 * organisation by id only and printers may not list organisations, so it is read where
 * a printer reads it: at the top of its print-jobs page in the console. */
async function printerCode(username) {
  const form = new URLSearchParams({ username, password });
  const res = await fetch(`${base}/login`, { method: 'POST', body: form, redirect: 'manual' });
  assert.equal(res.status, 303, `console login of ${username}`);
  const session = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('zj_session='));
  assert.ok(session, 'a session cookie');
  const page = await fetch(`${base}/console/codes/print-jobs`, { headers: { cookie: session } });
  const html = await page.text();
  const found = html.match(/data-uscc="([0-9A-Z]{18})"/);
  assert.ok(found, 'the print-jobs page shows the printer its credit code');
  return found[1];
}

/** Issues, prints and activates codes through the API; returns the codes by fate. */
async function prepareCodes() {
  const enterprise = await login('enterprise-1');
  const officer = await login('officer-130000');
  const printer = await login('printer-1');
  const me = await api('GET', '/api/v1/me', enterprise);
  assert.equal(me.role, 'enterprise');
  // An enterprise user sees one enterprise: its own.
  const own = await api('GET', '/api/v1/enterprises?per_page=1', enterprise);
  assert.equal(own.total, 1, 'enterprise-1 sees exactly its own enterprise');
  const uscc = own.items[0].uscc;
  const archive = await api('GET', `/api/v1/enterprises/${uscc}`, enterprise);
  let product = archive.products?.[0]?.id;
  if (!product) {
    const added = await api('POST', `/api/v1/enterprises/${uscc}/products`, enterprise, {
      name: '浏览器测试纯牛奶',
      category: 'F05',
      specification: '250 mL',
      standard: 'GB 25190-2010',
    });
    product = added.id;
  }
  const application = await api('POST', '/api/v1/code-applications', enterprise, {
    enterprise: uscc,
    product_id: product,
    quantity: 50,
    note: 'browser test',
  });
  const approved = await api('POST', `/api/v1/code-applications/${application.id}/approve`, officer);
  assert.equal(approved.status, 'approved');
  const segment = approved.segment.id;
  const job = await api('POST', '/api/v1/print-jobs', enterprise, {
    segment_id: segment,
    printer: await printerCode('printer-1'),
  });
  await api('POST', `/api/v1/print-jobs/${job.id}/confirm`, printer, { printed: 50, spoiled: 0 });
  const file = await api('GET', `/api/v1/segments/${segment}/codes`, enterprise);
  const codes = String(file).trim().split('\n');
  assert.equal(codes.length, 50);
  assert.ok(codes.every((c) => /^\d{20}$/.test(c)), 'twenty digits each');

  // Lots are unique per product: a second run on the same node needs new ones.
  const run = Date.now().toString(36);
  const activate = async (list, lot, production_date, expiry_date) => {
    const done = await api('POST', '/api/v1/activations', enterprise, {
      codes: list,
      batch: { lot: `${lot}-${run}`, production_date, expiry_date, inspection_report: 'JY-BROWSER' },
    });
    assert.equal(done.activated, list.length);
    return done.batch.id;
  };
  await activate(codes.slice(0, 10), 'A', day(-10), day(365));
  const b = await activate(codes.slice(10, 15), 'B', day(-10), day(365));
  await api('POST', `/api/v1/batches/${b}/recall`, enterprise, { reason: '浏览器测试：召回' });
  await activate(codes.slice(15, 20), 'C', day(-730), day(-365));
  return {
    node: codes[0].slice(0, 2),
    good: codes.slice(0, 10),
    recalled: codes[10],
    expired: codes[15],
    inactive: codes[40],
  };
}

async function shot(page, name, fullPage = true) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage });
}

/** Opens /q (in `lang`, if given), types `text` into the code field key by key as a
 * person would, submits with Enter, and returns the verdict card's `data-verdict`. */
async function check(page, text, lang) {
  await page.goto(`${base}/q${lang ? `?lang=${lang}` : ''}`);
  const field = page.locator('input#code');
  await field.click();
  await page.keyboard.type(text, { delay: 15 });
  assert.equal(await field.inputValue(), text, 'the field holds what was typed');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
  const card = page.locator('section[data-verdict]');
  assert.equal(await card.count(), 1, `one verdict card for ${text}`);
  return card.getAttribute('data-verdict');
}

test('the public verification page, typed into in Chromium', { timeout: 240_000 }, async (t) => {
  assert.ok(base, 'set ZHIJIAN_URL to the base URL of a running zhijian node');
  const codes = await prepareCodes();
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

  try {
    await t.test('the form page, in Chinese by default', async () => {
      await page.goto(`${base}/q`);
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      assert.equal(await page.locator('section[data-verdict]').count(), 0, 'no verdict before a query');
      assert.match(await page.textContent('main'), /20位数字/);
      await shot(page, 'q-01-form');
    });

    await t.test('a genuine code, then the same code again', async () => {
      const [code] = codes.good;
      assert.equal(await check(page, code), 'genuine');
      assert.equal(new URL(page.url()).pathname, `/q/${code}`);
      assert.match(await page.textContent('section[data-verdict]'), /首次查询/);
      assert.match(await page.textContent('main'), /批号/, 'the batch is shown');
      await shot(page, 'q-02-genuine');

      assert.equal(await check(page, code), 'genuine_repeat');
      const card = await page.textContent('section[data-verdict]');
      assert.match(card, /此码已于\d{4}-\d{2}-\d{2} \d{2}:\d{2}首次查询/, 'the first query is mentioned');
      assert.match(card, /此前共查询1次/);
      assert.match(await page.textContent('main dl'), /首次查询/);
      await shot(page, 'q-03-repeat');
    });

    await t.test('codes typed with spaces and with full-width digits', async () => {
      assert.equal(await check(page, grouped(codes.good[1])), 'genuine');
      assert.equal(await page.textContent('section[data-verdict] .code'), codes.good[1]);
      assert.equal(await check(page, fullWidth(codes.good[2])), 'genuine');
      assert.equal(await page.textContent('section[data-verdict] .code'), codes.good[2]);
    });

    await t.test('not activated, recalled and expired codes', async () => {
      assert.equal(await check(page, codes.inactive), 'not_activated');
      assert.match(await page.textContent('section[data-verdict]'), /尚未激活/);
      assert.equal(await check(page, codes.recalled), 'recalled');
      assert.match(await page.textContent('section[data-verdict]'), /已被召回/);
      await shot(page, 'q-04-recalled');
      assert.equal(await check(page, codes.expired), 'expired');
      assert.match(await page.textContent('section[data-verdict]'), /已过保质期/);
    });

    await t.test('a typing error, a code never issued, and letters', async () => {
      assert.equal(await check(page, mistype(codes.good[3])), 'mistyped');
      await shot(page, 'q-05-mistyped');

      // The node's two digits, a made-up body and a valid check digit. Codes are
      // encrypted indices, so a made-up body decodes to an index far from the few
      // issued; a second and third candidate guard against the unlikely hit.
      let unknown = '';
      for (const body of ['98765432109876543', '12121212121212121', '55555555555555554']) {
        const candidate = codes.node + body;
        const code = candidate + damm(candidate);
        const verdict = await check(page, code);
        if (verdict === 'unknown') {
          unknown = code;
          break;
        }
      }
      assert.ok(unknown, 'a well-formed code this node never issued is unknown');
      assert.match(await page.textContent('section[data-verdict]'), /查无此码/);
      await shot(page, 'q-06-unknown');

      assert.equal(await check(page, 'ABCDEFGHIJ'), 'invalid');
      assert.match(await page.textContent('section[data-verdict]'), /无法查询/);
    });

    await t.test('switch to English', async () => {
      await page.goto(`${base}/q`);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('header a[lang=en]').click()]);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.match(await page.textContent('header'), /Product supervision code check/);
      // The form carries the language, so the verdict comes back in English.
      const field = page.locator('input#code');
      await field.click();
      await page.keyboard.type(codes.good[4], { delay: 15 });
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
      assert.equal(await page.getAttribute('section[data-verdict]', 'data-verdict'), 'genuine');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      const card = await page.textContent('section[data-verdict]');
      assert.match(card, /Genuine \(first query\)/);
      assert.match(card, /is genuine and this is the code's first query/);
      assert.match(await page.textContent('main dl'), /Lot[\s\S]*Produced[\s\S]*Expires/);
      await shot(page, 'q-07-english');
      assert.equal(await check(page, codes.recalled, 'en'), 'recalled');
      assert.match(await page.textContent('section[data-verdict]'), /has been recalled/);
    });

    await t.test('on a phone', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      assert.equal(await check(page, codes.good[5]), 'genuine');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `the verdict page is ${width}px wide on a 390px screen`);
      const box = await page.locator('section[data-verdict]').boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, 'the verdict card fits the screen');
      await shot(page, 'q-08-phone');
      await page.goto(`${base}/q`);
      await shot(page, 'q-09-phone-form');
      await page.setViewportSize({ width: 1280, height: 900 });
    });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    console.log(`screenshots: ${shots}`);
  }
});
