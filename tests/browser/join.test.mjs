// Joining the network in headless Chromium: an enterprise fills the public /join form (a
// bad telephone number first: refused, everything typed kept), follows its application,
// the county bureau approves it in the console, and the new administrator logs in. The
// test counts the forms and fields a person fills, the measure of "joining in minutes".
//
// It starts nothing itself: run.sh starts a demo node and sets ZHIJIAN_URL.
//
//   node --test join.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const base = (process.env.ZHIJIAN_URL || '').replace(/\/+$/, '');
const password = process.env.ZHIJIAN_PASSWORD || 'zhijian-demo';

/** A valid unified social credit code (GB 32100) registered in `region`. */
function uscc(region, serial) {
  const value = (c) => (/[0-9]/.test(c) ? Number(c) : c.charCodeAt(0) - 55);
  const org = String(serial).padStart(8, '0');
  const orgWeights = [3, 7, 9, 10, 5, 8, 4, 2];
  const orgSum = [...org].reduce((s, c, i) => s + value(c) * orgWeights[i], 0);
  const orgCheck = { 10: 'X', 11: '0' }[11 - (orgSum % 11)] ?? String(11 - (orgSum % 11));
  const body = `91${region}${org}${orgCheck}`;
  const set = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...body].reduce((s, c, i) => s + set.indexOf(c) * weights[i], 0);
  return body + set[(31 - (sum % 31)) % 31];
}

async function submitAndWait(page, clicker) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), clicker.click()]);
}

test('an enterprise joins the network by itself', { timeout: 120_000 }, async (t) => {
  assert.ok(base, 'set ZHIJIAN_URL to the base URL of a running zhijian node');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 390, height: 844 } });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const code = uscc('130102', 70_000_000 + (Date.now() % 1_000_000));
  const admin = `join-${Date.now() % 1_000_000}`;
  const fields = {
    uscc: code,
    name: '石家庄浏览器测试食品有限公司',
    region: '130102',
    contact_phone: '12345',
    username: admin,
    password: 'join-test-2026',
    product_name_0: '手工挂面',
  };
  let forms = 0;
  let filled = 0;
  let statusUrl = '';

  try {
    await t.test('a bad telephone number is refused and nothing typed is lost', async () => {
      await page.goto(`${base}/join`);
      assert.match(await page.textContent('h1'), /企业入网申请/);
      const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
      assert.ok(fits, 'the form fits a phone screen');
      for (const [name, value] of Object.entries(fields)) await page.fill(`[name=${name}]`, value);
      await page.selectOption('[name=product_category_0]', 'F01');
      forms += 1;
      filled += Object.keys(fields).length + 1;
      await submitAndWait(page, page.locator('#join-form button[type=submit]'));
      assert.match(await page.textContent('.flash-error'), /电话|telephone/i);
      assert.equal(await page.getAttribute('[name=contact_phone]', 'aria-invalid'), 'true');
      assert.equal(await page.inputValue('[name=uscc]'), code, 'the typed values are kept');
      assert.equal(await page.inputValue('[name=product_category_0]'), 'F01');
      assert.equal(await page.inputValue('[name=password]'), '', 'the password is never echoed');
    });

    await t.test('the corrected application is submitted and can be followed', async () => {
      await page.fill('[name=contact_phone]', '0311-87654321');
      await page.fill('[name=password]', fields.password);
      forms += 1;
      filled += 2;
      await submitAndWait(page, page.locator('#join-form button[type=submit]'));
      assert.match(new URL(page.url()).pathname, /^\/join\/\d+$/);
      statusUrl = page.url();
      assert.equal(await page.getAttribute('[data-status]', 'data-status'), 'pending');
    });

    await t.test('the county bureau approves it in the console', async () => {
      const officer = await browser.newPage({ locale: 'zh-CN' });
      await officer.goto(`${base}/login`);
      await officer.fill('input[name=username]', 'officer-130102');
      await officer.fill('input[name=password]', password);
      await submitAndWait(officer, officer.locator('form[action="/login"] button[type=submit]'));
      await officer.goto(`${base}/console/registrations`);
      const card = officer.locator('article[data-registration]', { hasText: code });
      assert.equal(await card.count(), 1);
      assert.match(await card.textContent(), /手工挂面/);
      await submitAndWait(officer, card.locator('button[value=approve]'));
      assert.match(await officer.textContent('.flash'), /已通过/);
      await officer.goto(`${base}/console/enterprises/${code}`);
      assert.match(await officer.textContent('main'), /石家庄浏览器测试食品有限公司/);
      await officer.close();
    });

    await t.test('the applicant is told and its administrator logs in', async () => {
      await page.goto(statusUrl);
      assert.equal(await page.getAttribute('[data-status]', 'data-status'), 'approved');
      await submitAndWait(page, page.locator('a[href="/login"]'));
      await page.fill('input[name=username]', admin);
      await page.fill('input[name=password]', fields.password);
      forms += 1;
      filled += 2;
      await submitAndWait(page, page.locator('form[action="/login"] button[type=submit]'));
      assert.equal(new URL(page.url()).pathname, '/console');
      assert.match(await page.textContent('h1'), new RegExp(admin));
      // The dashboard leads to the guided first run; the archive step is done already.
      await submitAndWait(page, page.locator('a[href="/console/start"]'));
      const done = await page.locator('#first-run > li').evaluateAll((xs) => xs.map((x) => x.dataset.done));
      assert.deepEqual(done, ['true', 'false', 'false', 'false', 'false']);
      console.log(`# joining took ${forms} form submissions and ${filled} fields typed or chosen`);
      assert.ok(filled <= 15, `joining asks for few fields (${filled})`);
    });

    // The first run, timed: what a scripted person spends on each step.
    const timings = [];
    const timed = async (name, body) => {
      const started = Date.now();
      await body();
      timings.push([name, Date.now() - started]);
    };
    let unit = '';

    await t.test('the first run: codes applied for, approved, printed, activated, verified', async () => {
      await timed('apply for codes', async () => {
        await page.goto(`${base}/console/start`);
        await submitAndWait(page, page.locator('#first-run > li').nth(1).locator('a'));
        await page.fill('#apply [name=quantity]', '21');
        forms += 1;
        filled += 1;
        await submitAndWait(page, page.locator('#apply button[type=submit]'));
        assert.equal(await page.locator('tr[data-status=pending]').count(), 1);
      });
      await timed('bureau approves', async () => {
        const officer = await browser.newPage({ locale: 'zh-CN' });
        await officer.goto(`${base}/login`);
        await officer.fill('input[name=username]', 'officer-130102');
        await officer.fill('input[name=password]', password);
        await submitAndWait(officer, officer.locator('form[action="/login"] button[type=submit]'));
        await officer.goto(`${base}/console/codes/applications?status=pending`);
        const row = officer.locator('tr[data-application]', { hasText: fields.name });
        await submitAndWait(officer, row.locator('form[data-action=approve] button'));
        await officer.close();
      });
      await timed('print the labels', async () => {
        await page.goto(`${base}/console/start`);
        const step = page.locator('#first-run > li').nth(2);
        assert.equal(await step.getAttribute('data-done'), 'false', 'nothing printed yet');
        await submitAndWait(page, step.locator('button'));
        assert.equal(await page.locator('.label').count(), 21, 'an A4 sheet of 21 labels');
        const grouped = /(\d{4} \d{4} \d{4} \d{4} \d{4})/.exec(await page.textContent('body'));
        assert.ok(grouped, 'the code in grouped digits on the label');
        unit = grouped[1].replace(/ /g, '');
      });
      // A mistyped code (last digit changed) is refused at activation and named.
      const mistyped = unit.slice(0, 19) + String((Number(unit[19]) + 1) % 10);
      await page.goto(`${base}/console/codes/activate`);
      await page.fill('[name=lot]', '20261201A');
      await page.fill('[name=production_date]', new Date().toISOString().slice(0, 10));
      await page.fill('[name=codes]', mistyped);
      await submitAndWait(page, page.locator('form[action="/console/codes/activate"] button[type=submit]'));
      assert.ok((await page.textContent('main')).includes(mistyped), 'the refused code is named');
      await timed('activate on a batch', async () => {
        await page.goto(`${base}/console/codes/activate`);
        await page.fill('[name=lot]', '20261201A');
        await page.fill('[name=production_date]', new Date().toISOString().slice(0, 10));
        await page.fill('[name=codes]', unit);
        forms += 1;
        filled += 3;
        await submitAndWait(page, page.locator('form[action="/console/codes/activate"] button[type=submit]'));
        assert.equal(await page.locator('.flash-error').count(), 0, await page.textContent('main'));
      });
      await timed('verify on a phone', async () => {
        const phone = await browser.newPage({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
        await phone.goto(`${base}/q?code=${mistyped}`);
        assert.equal(await phone.locator('.verdict.ok').count(), 0, 'a mistyped code is not genuine');
        await phone.goto(`${base}/q`);
        await phone.fill('#code', unit);
        forms += 1;
        filled += 1;
        await submitAndWait(phone, phone.locator('form[action="/q"] button, form[action="/q"] [type=submit]').first());
        assert.equal(await phone.locator('.verdict.ok').count(), 1, await phone.textContent('body'));
        await phone.close();
      });
      await page.goto(`${base}/console/start`);
      const done = await page.locator('#first-run > li').evaluateAll((xs) => xs.map((x) => x.dataset.done));
      assert.deepEqual(done.slice(0, 4), ['true', 'true', 'true', 'true']);
      for (const [name, ms] of timings) console.log(`# ${name}: ${ms} ms`);
      console.log(`# from the public form to a verified code: ${forms} forms, ${filled} fields`);
      assert.ok(filled <= 25, `the whole flow asks for few fields (${filled})`);
    });
    await t.test('a shop registers a terminal by itself and checks a code on it', async () => {
      const shop = await browser.newPage({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
      await shop.goto(`${base}/join/shop`);
      await shop.fill('[name=shop]', '华联超市和平路店');
      await shop.fill('[name=name]', '收银台1');
      await shop.fill('[name=region]', '130102');
      await submitAndWait(shop, shop.locator('#shop-form button[type=submit]'));
      assert.equal(new URL(shop.url()).pathname, '/t');
      assert.equal(new URL(shop.url()).hash, '', 'the token leaves the address once kept');
      await shop.waitForFunction(() => document.body.dataset.terminal === 'registered');
      await shop.fill('#code', '1340 9250 8721 2348 6107');
      await shop.click('#check button[type=submit]');
      await shop.waitForFunction(() => document.getElementById('answer').dataset.verdict);
      assert.notEqual(await shop.getAttribute('#answer', 'data-verdict'), 'error');
      assert.ok((await shop.textContent('#verdict')).trim().length > 0, 'a verdict in words');

      // The county bureau suspends it; the terminal's next check is refused.
      const officer = await browser.newPage({ locale: 'zh-CN' });
      await officer.goto(`${base}/login`);
      await officer.fill('input[name=username]', 'officer-130102');
      await officer.fill('input[name=password]', password);
      await submitAndWait(officer, officer.locator('form[action="/login"] button[type=submit]'));
      await officer.goto(`${base}/console/terminals`);
      const row = officer.locator('tr[data-terminal]', { hasText: '华联超市和平路店' });
      await submitAndWait(officer, row.first().locator('button'));
      assert.match(await officer.textContent('.flash'), /已暂停/);
      await officer.close();
      await shop.evaluate(() => { document.getElementById('answer').dataset.verdict = ''; });
      await shop.click('#check button[type=submit]');
      await shop.waitForFunction(() => document.getElementById('answer').dataset.verdict);
      assert.equal(await shop.getAttribute('#answer', 'data-verdict'), 'error', 'a suspended terminal');
      await shop.close();
    });
  } finally {
    await browser.close();
  }
});
