// The public sampling announcements in headless Chromium, as a consumer would read them:
// the list, a search, one announcement with its passes and failures, the English switch,
// the Excel and CSV downloads, and a phone-sized screen. It reads the demo node's
// provincial plan, announced when the demo was generated (crates/cli/src/demo_sampling.rs).
//
// It starts nothing itself: run.sh (beside this file) starts a demo node and sets
//   ZHIJIAN_URL       base URL of a running node, e.g. http://127.0.0.1:8080
// Screenshots go to ZHIJIAN_SCREENSHOTS, or a fresh temporary folder (printed at the end).
//
//   node --test announcements.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = (process.env.ZHIJIAN_URL || '').replace(/\/+$/, '');
const shots = process.env.ZHIJIAN_SCREENSHOTS || mkdtempSync(join(tmpdir(), 'zhijian-shots-'));
mkdirSync(shots, { recursive: true });

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'];

async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

test('the public announcements, read in Chromium', { timeout: 120_000 }, async (t) => {
  assert.ok(base, 'set ZHIJIAN_URL to the base URL of a running zhijian node');
  const profile = mkdtempSync(join(tmpdir(), 'zhijian-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
  });
  context.setDefaultTimeout(20_000);
  const page = context.pages()[0] ?? (await context.newPage());

  try {
    let link;
    await t.test('the list names the demo plan with its counts', async () => {
      await page.goto(`${base}/announcements`);
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      const card = page.locator('section[data-announcement]').first();
      assert.match(await card.textContent(), /2026年河北省产品质量监督抽查/);
      assert.match(await card.textContent(), /合格 \d+ 批次，不合格 [1-9]\d* 批次/);
      link = card.locator('a').first();
      await shot(page, 'ann-01-list');
    });

    await t.test('a search for nothing shows the empty state', async () => {
      await page.fill('input[name=q]', '不存在的企业名称');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      assert.equal(await page.locator('section[data-announcement]').count(), 0);
      assert.match(await page.textContent('[data-role=empty]'), /没有找到公告/);
      await page.goto(`${base}/announcements?q=${encodeURIComponent('小麦粉')}`);
      assert.equal(await page.locator('section[data-announcement]').count(), 1, 'a product finds it');
      link = page.locator('section[data-announcement] a').first();
    });

    await t.test('one announcement: passes and failures with their failing items', async () => {
      await Promise.all([page.waitForNavigation(), link.click()]);
      const passes = await page.locator('tr[data-result=pass]').count();
      const fails = page.locator('tr[data-result=fail]');
      assert.ok(passes > 0, 'passes are published');
      assert.ok((await fails.count()) > 0, 'failures are published');
      assert.match(await fails.first().textContent(), /不合格/);
      assert.notEqual((await fails.first().locator('td').last().textContent()).trim(), '', 'a failure names its items');
      await shot(page, 'ann-02-detail');
    });

    await t.test('the Excel and CSV files download', async () => {
      for (const role of ['xlsx', 'csv']) {
        const [download] = await Promise.all([page.waitForEvent('download'), page.click(`a[data-role=${role}]`)]);
        assert.match(download.suggestedFilename(), new RegExp(`^announcement-\\d+\\.${role}$`));
        const path = await download.path();
        assert.ok(path, `the ${role} file was saved`);
      }
    });

    await t.test('in English, and on a phone', async () => {
      await page.goto(`${page.url().split('?')[0]}?lang=en`);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.match(await page.textContent('[data-role=summary]'), /batches passed and \d+ failed/);
      await page.setViewportSize({ width: 390, height: 844 });
      const row = page.locator('tr[data-result=fail]').first();
      const box = await row.boundingBox();
      assert.ok(box && box.width <= 390, 'rows fit the phone screen');
      await shot(page, 'ann-03-phone');
    });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    console.log(`screenshots: ${shots}`);
  }
});
