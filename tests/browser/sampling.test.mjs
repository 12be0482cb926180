// A sampling plan from creation to announcement and rectification, through the console in
// headless Chromium, each step by the person who takes it: the city officer drafts a plan,
// the city's chief approves it, the officer publishes and draws it, the drawn inspector
// fills the sampling form on a phone with a photo, the lab files a failing report, the
// enterprise is told on its dashboard, confirms and objects, the officer rejects the objection, orders
// rectification, records a failed follow-up and escalates, and announces the results,
// which the public page then shows. Bad input on the way is refused with a message.
//
// It starts nothing itself: run.sh starts a demo node (`zhijian demo --scale small`) and
// sets ZHIJIAN_URL. The demo's accounts share the password ZHIJIAN_PASSWORD.
//
//   node --test sampling.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const base = (process.env.ZHIJIAN_URL || '').replace(/\/+$/, '');
const password = process.env.ZHIJIAN_PASSWORD || 'zhijian-demo';
const shots = process.env.ZHIJIAN_SCREENSHOTS || mkdtempSync(join(tmpdir(), 'zhijian-shots-'));
mkdirSync(shots, { recursive: true });

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'];

/** A real 8×8 PNG (one colour), so the page can show the photo it was sent. */
function png() {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(8, 0);
  header.writeUInt32BE(8, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const rows = Buffer.concat(Array.from({ length: 8 }, () => Buffer.from([0, ...Array(8).fill([30, 120, 200]).flat()])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Clicks and waits for the page the click leads to. */
async function submitAndWait(page, clicker) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), clicker.click()]);
}

test('a sampling plan from creation to announcement and rectification', { timeout: 240_000 }, async (t) => {
  assert.ok(base, 'set ZHIJIAN_URL to the base URL of a running zhijian node');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  /** A signed-in page for `username`, in a context of its own. */
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
  const api = async (page, path) => {
    const r = await page.request.get(`${base}${path}`);
    assert.equal(r.status(), 200, `${path}`);
    return r.json();
  };
  const flash = async (page) => (await page.locator('.flash').textContent()).trim();
  const standing = async (page) => (await page.locator('[data-role=standing]').textContent()).trim();

  // Who takes part: the lab of lab-1, the enterprise of enterprise-2 and the category it
  // makes. The demo has no other maker of that category in its county, so the draw picks it.
  const officer = await as('officer-130100');
  const lab = await as('lab-1');
  const enterprise = await as('enterprise-2');
  const labCode = (await api(lab, '/api/v1/me')).organisation.uscc;
  const ent = (await api(enterprise, '/api/v1/me')).organisation;
  const archive = await api(officer, `/api/v1/enterprises/${ent.uscc}`);
  const category = archive.products[0].category;
  const year = new Date().getFullYear();
  const planName = `浏览器测试抽查 ${Date.now()}`;
  let planUrl = '';
  let sampleUrl = '';

  try {
    await t.test('an officer drafts a plan; quotas that do not add up are refused', async () => {
      await officer.goto(`${base}/console/sampling`);
      assert.match(await officer.textContent('h1'), /抽查计划/);
      await officer.click('#new-plan summary');
      await officer.fill('#new-plan input[name=name]', planName);
      await officer.fill('#new-plan input[name=year]', String(year));
      await officer.fill('#new-plan input[name=batches]', '2');
      await officer.fill('#new-plan input[name=budget]', '5000');
      await officer.fill('#new-plan textarea[name=quotas]', `${category} ${ent.region} 1 ${labCode}`);
      await submitAndWait(officer, officer.locator('#new-plan button[type=submit]'));
      assert.match(await flash(officer), /批次之和与计划批次总数不符/);
      assert.equal(await officer.locator(`text=${planName}`).count(), 0, 'nothing was made');

      await officer.click('#new-plan summary');
      await officer.fill('#new-plan input[name=name]', planName);
      await officer.fill('#new-plan input[name=year]', String(year));
      await officer.fill('#new-plan input[name=batches]', '1');
      await officer.fill('#new-plan textarea[name=quotas]', `${category} ${ent.region} 1 ${labCode}`);
      await submitAndWait(officer, officer.locator('#new-plan button[type=submit]'));
      assert.match(new URL(officer.url()).pathname, /^\/console\/sampling\/plans\/\d+$/);
      planUrl = officer.url();
      assert.match(await flash(officer), /计划已创建/);
      assert.equal((await officer.textContent('[data-role=plan-status]')).trim(), '草案');
      assert.equal(await officer.locator('form[data-action=approve]').count(), 0, 'its author cannot approve it');
      await officer.screenshot({ path: join(shots, 'sampling-01-draft.png'), fullPage: true });
    });

    await t.test('the chief approves it, the officer publishes and draws it', async () => {
      const chief = await as('chief-130100');
      await chief.goto(planUrl);
      await submitAndWait(chief, chief.locator('form[data-action=approve] button'));
      assert.equal((await chief.textContent('[data-role=plan-status]')).trim(), '已审批');
      await chief.context().close();

      await officer.goto(planUrl);
      await submitAndWait(officer, officer.locator('form[data-action=publish] button'));
      assert.equal((await officer.textContent('[data-role=plan-status]')).trim(), '已发布');
      await officer.fill('form[data-action=draw] input[name=seed]', `浏览器-${year}-01`);
      await submitAndWait(officer, officer.locator('form[data-action=draw] button'));
      assert.match(await flash(officer), /双随机抽取/);
      const rows = officer.locator('#tasks tbody tr');
      assert.equal(await rows.count(), 1);
      assert.match(await rows.first().textContent(), new RegExp(ent.name));
      assert.equal(await officer.locator('form[data-action=draw]').count(), 0, 'a plan is drawn once');
    });

    await t.test('the drawn inspector fills the sampling form on a phone, with a photo', async () => {
      const inspectors = (await officer.locator('#tasks tbody tr td').nth(3).textContent()).trim().split('、');
      assert.equal(inspectors.length, 2, 'two inspectors per task');
      const inspector = await as(inspectors[0], { width: 390, height: 844 });
      await inspector.goto(planUrl);
      await submitAndWait(inspector, inspector.locator('#tasks a[data-role=take]'));
      const fits = await inspector.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
      assert.ok(fits, 'the sampling form fits a phone screen');
      await inspector.selectOption('select[name=stage]', 'production');
      await inspector.fill('input[name=product_name]', '家用燃气灶');
      await inspector.fill('input[name=lot]', `${year}1101A`);
      await inspector.fill('input[name=quantity]', '2');
      await inspector.fill('input[name=retained]', '1');
      await inspector.fill('input[name=place]', `${ent.name}成品库`);
      await inspector.setInputFiles('input[name=photo]', { name: '现场.png', mimeType: 'image/png', buffer: png() });
      await inspector.screenshot({ path: join(shots, 'sampling-02-phone-form.png'), fullPage: true });
      await submitAndWait(inspector, inspector.locator('#sampling-form button[type=submit]'));
      assert.match(new URL(inspector.url()).pathname, /^\/console\/sampling\/samples\/\d+$/);
      sampleUrl = inspector.url();
      assert.match(await flash(inspector), /抽样单已提交/);
      const img = inspector.locator('#photos img');
      assert.equal(await img.count(), 1);
      assert.ok(await img.evaluate((i) => i.complete && i.naturalWidth === 8), 'the photo comes back as an image');
      assert.equal(await standing(inspector), '待检验');
      await inspector.context().close();
    });

    await t.test('the lab files a failing report; a contradictory one is refused', async () => {
      await lab.goto(`${base}/console/sampling`);
      const id = sampleUrl.split('/').pop();
      await submitAndWait(lab, lab.locator(`tr[data-sample="${id}"] a`));
      const form = 'form[data-action=report]';
      await lab.fill(`${form} input[name=number]`, `BT-${Date.now()}`);
      await lab.selectOption(`${form} select[name=conclusion]`, 'pass');
      await lab.fill(
        `${form} textarea[name=items]`,
        '气密性 | 无泄漏 | 泄漏 |  | GB 16410-2020 | 不合格\n熄火保护装置 | 60 s 内关闭 | 25 s | s | GB 16410-2020 | 合格',
      );
      await submitAndWait(lab, lab.locator(`${form} button`));
      assert.equal(await lab.locator('.flash.flash-error').count(), 1, 'a pass with a failing item is refused');
      await lab.fill(`${form} input[name=number]`, `BT-${Date.now()}`);
      await lab.selectOption(`${form} select[name=conclusion]`, 'fail');
      await lab.fill(
        `${form} textarea[name=items]`,
        '气密性 | 无泄漏 | 泄漏 |  | GB 16410-2020 | 不合格\n熄火保护装置 | 60 s 内关闭 | 25 s | s | GB 16410-2020 | 合格',
      );
      await submitAndWait(lab, lab.locator(`${form} button`));
      assert.match(await flash(lab), /检验报告已提交/);
      assert.equal(await standing(lab), '异议期内 · 不合格');
      assert.match(await lab.textContent('[data-role=deadline]'), /^\d{4}-\d{2}-\d{2}$/);
      assert.equal(await lab.locator('tr.row-bad').count(), 1);
    });

    await t.test('the enterprise confirms the form and objects; the officer rejects', async () => {
      // The dashboard tells the enterprise of the failure and its deadline.
      const id = sampleUrl.split('/').pop();
      await enterprise.goto(`${base}/console`);
      const notice = enterprise.locator(`#sampling-to-do a[href="/console/sampling/samples/${id}"]`);
      assert.match(await notice.first().textContent(), /检验不合格.*\d{4}-\d{2}-\d{2}/);
      await enterprise.goto(`${base}/console/sampling`);
      await submitAndWait(enterprise, enterprise.locator(`tr[data-sample="${id}"] a`));
      await submitAndWait(enterprise, enterprise.locator('form[data-action=confirm] button'));
      assert.match(await flash(enterprise), /抽样单已确认/);
      await enterprise.fill('form[data-action=object] textarea[name=reason]', '样品运输中受损，申请复检备样');
      await submitAndWait(enterprise, enterprise.locator('form[data-action=object] button'));
      assert.equal(await standing(enterprise), '异议待处理 · 不合格');

      await officer.goto(sampleUrl);
      await officer.selectOption('form[data-action=decide] select[name=decision]', 'reject');
      await officer.fill('form[data-action=decide] textarea[name=reason]', '备样封存完好，异议理由不成立');
      await submitAndWait(officer, officer.locator('form[data-action=decide] button'));
      assert.equal(await standing(officer), '已终结 · 不合格');
    });

    await t.test('rectification: order, measures, failed follow-up, public announcement', async () => {
      const deadline = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
      await officer.fill('form[data-action=order] textarea[name=requirements]', '查明气密性不合格原因，召回同批次产品');
      await officer.fill('form[data-action=order] input[name=deadline]', deadline);
      await submitAndWait(officer, officer.locator('form[data-action=order] button'));
      assert.match(await flash(officer), /整改通知已下达/);

      await enterprise.goto(sampleUrl);
      await enterprise.fill('form[data-action=measures] textarea[name=measures]', '已召回同批次产品，更换密封件供应商');
      await submitAndWait(enterprise, enterprise.locator('form[data-action=measures] button'));
      assert.match(await flash(enterprise), /整改情况已报告/);

      await officer.goto(sampleUrl);
      await officer.selectOption('form[data-action=follow-up] select[name=outcome]', 'fail');
      await officer.fill('form[data-action=follow-up] input[name=note]', '跟踪抽样复查仍不合格');
      await submitAndWait(officer, officer.locator('form[data-action=follow-up] button'));
      assert.match(await officer.textContent('[data-role=follow-up]'), /不合格/);
      await officer.selectOption('form[data-action=escalate] select[name=step]', 'public_announcement');
      await officer.fill('form[data-action=escalate] input[name=reason]', '整改后复查仍不合格，予以公开曝光');
      await submitAndWait(officer, officer.locator('form[data-action=escalate] button'));
      assert.equal((await officer.textContent('[data-role=rect-step]')).trim(), '公开曝光');
      await officer.screenshot({ path: join(shots, 'sampling-03-rectification.png'), fullPage: true });
    });

    await t.test('the results are announced and public', async () => {
      await officer.goto(planUrl);
      await submitAndWait(officer, officer.locator('form[data-action=announce] button'));
      assert.match(await flash(officer), /结果已公告/);
      const link = officer.locator('a[data-role=announcement]');
      await submitAndWait(officer, link);
      assert.match(new URL(officer.url()).pathname, /^\/announcements\/\d+$/);
      const text = await officer.textContent('main');
      assert.ok(text.includes(ent.name), 'the announcement names the enterprise');
      assert.ok(text.includes('不合格') && text.includes('气密性'), 'with its failure and the failing item');

      await officer.goto(`${base}/console/sampling?lang=en`);
      assert.match(await officer.textContent('h1'), /Sampling plans/);
      await officer.goto(planUrl);
      assert.equal((await officer.textContent('[data-role=plan-status]')).trim(), 'Published');
    });
  } finally {
    await browser.close();
  }
});
