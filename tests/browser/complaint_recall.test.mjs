// A consumer's complaint leads to a case and a recall, in headless Chromium on the demo
// network: the consumer verifies a code and files a complaint from the verification
// page; the province's officer accepts it and opens a case from it; the maker starts a
// voluntary recall of the batch, the officer confirms it; the code then verifies as
// recalled with what to do; the officer closes the recall with its effectiveness shown;
// the public pages show the recall and the complaint's progress.
//
// It starts nothing itself: run.sh starts a demo node and sets ZHIJIAN_URL. It and
// trace.test.mjs each recall a demo batch: each takes one still active.
//
//   node --test complaint_recall.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base, flash, launch, shot, soldUnitOfActiveBatch, submitAndWait } from './session.mjs';

test('a complaint, a case and a recall, from a consumer\'s verification to the public notice', { timeout: 180_000 }, async (t) => {
  const { browser, as } = await launch();
  try {
    // A demo maker with a sold unit of a batch that is not recalled yet.
    let maker = null;
    let code = '';
    let batch = null;
    for (const name of ['enterprise-1', 'enterprise-2', 'enterprise-3', 'enterprise-4', 'enterprise-5']) {
      const page = await as(name);
      const found = await soldUnitOfActiveBatch(page);
      if (found) {
        maker = page;
        code = found.code;
        batch = found.batch;
      }
      if (maker) break;
      await page.context().close();
    }
    assert.ok(maker, 'a demo maker has a sold unit of an active batch');
    const officer = await as('officer-130000');
    const consumer = await browser.newPage({ locale: 'zh-CN' });
    let tracking = '';
    let caseUrl = '';

    await t.test('the consumer verifies the code and complains from the verification page', async () => {
      await consumer.goto(`${base}/q/${code}`);
      assert.match(await consumer.getAttribute('section.verdict', 'data-verdict'), /genuine/);
      await submitAndWait(consumer, consumer.locator('#complain'));
      assert.equal(await consumer.inputValue('#complaint-form input[name=code]'), code);
      await consumer.fill('#complaint-form textarea[name=text]', '浏览器测试：打开包装发现产品发霉变质');
      await consumer.fill('#complaint-form input[name=contact]', '13800001234');
      await submitAndWait(consumer, consumer.locator('#complaint-form button[type=submit]'));
      tracking = (await consumer.textContent('#tracking-number')).trim();
      assert.match(tracking, /^TS-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      await consumer.screenshot({ path: shot('walk-01-complaint-filed.png'), fullPage: true });

      // A photo of the product, from the tracking page (a phone's camera in real life).
      await consumer.goto(`${base}/complaints/track?n=${encodeURIComponent(tracking)}`);
      assert.equal(await consumer.getAttribute('#complaint-photos [data-photos]', 'data-photos'), '0');
      await consumer.setInputFiles('#complaint-photos input[type=file]', {
        name: '发霉.png',
        mimeType: 'image/png',
        buffer: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'),
      });
      await submitAndWait(consumer, consumer.locator('#complaint-photos button[type=submit]'));
      assert.equal(await consumer.getAttribute('#complaint-photos [data-photos]', 'data-photos'), '1');
    });

    await t.test('the officer accepts it and opens a case from it', async () => {
      await officer.click('nav.mainnav a[href="/console/complaints"]');
      await officer.waitForURL(/\/console\/complaints$/);
      await submitAndWait(officer, officer.locator(`#complaint-table a:text("${tracking}")`));
      assert.match(await officer.textContent('main'), new RegExp(batch.maker));
      assert.equal(await officer.locator('#complaint-photos img').count(), 1, 'the complainant\'s photo');
      await submitAndWait(officer, officer.locator('#accept-form button[type=submit]'));
      assert.match(await officer.textContent('#complaint-status'), /办理中/);
      await officer.fill('#open-case-form input[name=title]', `${batch.product}（${batch.lot}）质量问题案`);
      await submitAndWait(officer, officer.locator('#open-case-form button[type=submit]'));
      assert.match(new URL(officer.url()).pathname, /^\/console\/cases\/\d+$/);
      assert.match(await flash(officer), /立案/);
      assert.match(await officer.textContent('#case-evidence'), /complaint/);
      await officer.screenshot({ path: shot('walk-02-case.png'), fullPage: true });
      caseUrl = new URL(officer.url()).pathname;
    });

    let recallUrl = '';
    await t.test('the maker recalls the batch; the bureau confirms; the code verifies as recalled', async () => {
      await maker.goto(`${base}/console/recalls`);
      await maker.click('#start-recall summary');
      await maker.fill('#start-recall input[name=product]', String(batch.product_id));
      await maker.fill('#start-recall input[name=lots]', batch.lot);
      await maker.selectOption('#start-recall select[name=risk_class]', 'II');
      await maker.fill('#start-recall textarea[name=reason]', '浏览器测试：部分产品密封不良，可能发霉');
      await maker.fill('#start-recall input[name=remedy]', '请停止食用，凭包装到购买处退款');
      await maker.fill('#start-recall textarea[name=plan]', '经销商七日内退回，门店立即下架');
      await maker.fill('#start-recall input[name=report_every_days]', '7');
      await submitAndWait(maker, maker.locator('#start-recall button[type=submit]'));
      assert.match(await maker.textContent('#recall-status'), /待确认/);
      recallUrl = new URL(maker.url()).pathname;

      await officer.goto(`${base}${recallUrl}`);
      await submitAndWait(officer, officer.locator('#confirm-form button[type=submit]'));
      assert.match(await officer.textContent('#recall-status'), /实施中/);
      assert.ok(await officer.locator('#recall-parties tbody tr').count() > 3, 'the places the batch reached are told');

      await consumer.goto(`${base}/q/${code}`);
      assert.equal(await consumer.getAttribute('section.verdict', 'data-verdict'), 'recalled');
      assert.match(await consumer.textContent('#recall-notice'), /凭包装到购买处退款/);
      await consumer.screenshot({ path: shot('walk-03-recalled.png'), fullPage: true });

      // The maker reports progress; the report keeps the figures of its moment.
      await maker.goto(`${base}${recallUrl}`);
      assert.match(await maker.textContent('#recall-plan'), /门店立即下架/);
      assert.match(await maker.textContent('#reports-title'), /每 7 天/);
      await maker.fill('#report-form textarea[name=report]', '浏览器测试：第一周已通知全部经销商');
      await submitAndWait(maker, maker.locator('#report-form button[type=submit]'));
      assert.match(await maker.textContent('#recall-reports'), /第一周已通知全部经销商/);
    });

    await t.test('the officer decides the case; the decision is published', async () => {
      await officer.goto(`${base}${caseUrl}`);
      await officer.fill('#decide-form textarea[name=text]', '浏览器测试：责令改正，没收违法产品并处罚款');
      await officer.fill('#decide-form input[name=fine_yuan]', '20000');
      await submitAndWait(officer, officer.locator('#decide-form button[type=submit]'));
      await consumer.goto(`${base}/penalties`);
      assert.match(await consumer.textContent('main'), /没收违法产品并处罚款/);
      assert.match(await consumer.textContent('main'), /罚款 20000 元/);
    });

    await t.test('the recall closes with its effectiveness; the public pages show each step', async () => {
      await officer.goto(`${base}${recallUrl}`);
      assert.match(await officer.textContent('#eff-rate'), /%/);
      await officer.fill('#close-form textarea[name=report]', '浏览器测试：已通知全部门店下架，售出部分已公告。');
      await submitAndWait(officer, officer.locator('#close-form button[type=submit]'));
      assert.match(await officer.textContent('#recall-status'), /已结束/);
      assert.ok(Number((await officer.textContent('#eff-distributed')).trim()) > 0, 'units had left the maker');
      await officer.screenshot({ path: shot('walk-04-recall-closed.png'), fullPage: true });

      await consumer.goto(`${base}/recalls`);
      assert.match(await consumer.textContent('main'), new RegExp(batch.lot));
      await consumer.goto(`${base}/complaints/track?n=${encodeURIComponent(tracking.toLowerCase())}`);
      assert.equal(await consumer.getAttribute('#complaint-status', 'data-status'), 'accepted');
      assert.match(await consumer.textContent('#complaint-steps'), /受理/);

      // The portal: the recall on its home page, its progress on the notice, and the
      // maker's profile with the recall and the penalty, reached from the home page.
      await consumer.setViewportSize({ width: 390, height: 844 });
      await consumer.goto(`${base}/`);
      assert.match(await consumer.textContent('[data-role=recalls]'), new RegExp(batch.lot));
      assert.match(await consumer.textContent('[data-role=penalties]'), /罚款 20000 元/);
      await consumer.screenshot({ path: shot('walk-05-portal.png'), fullPage: true });
      await consumer.goto(`${base}${recallUrl.replace('/console', '')}`);
      assert.match(await consumer.textContent('#recall-progress'), /已收回/);
      await consumer.goto(`${base}/`);
      await Promise.all([consumer.waitForNavigation(), consumer.click('[data-role=penalties] a[href^="/enterprises/"]')]);
      assert.match(await consumer.textContent('#profile'), new RegExp(batch.maker));
      assert.match(await consumer.textContent('[data-role=recalls]'), new RegExp(batch.lot));
      assert.match(await consumer.textContent('[data-role=penalties]'), /没收违法产品并处罚款/);
      await consumer.screenshot({ path: shot('walk-06-profile.png'), fullPage: true });
    });
  } finally {
    await browser.close();
  }
});
