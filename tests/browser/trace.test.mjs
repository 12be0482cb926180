// Flow and traceability through the console in headless Chromium, on the demo's
// distribution network: the province officer follows a batch forward (table and graph
// of parties, the numbers the API gives), downloads it as a workbook, follows one unit
// back through its case to where it is now, lists a recall's reach, browses the events
// by business step, opens the batch's dossier, and finally orders the batch's recall and
// closes it (last: it flags the demo batch recalled).
//
// It starts nothing itself: run.sh starts a demo node and sets ZHIJIAN_URL.
//
//   node --test trace.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, base, flash, launch, shot, soldUnitOfActiveBatch, submitAndWait } from './session.mjs';

test('traces: a batch forward, a unit back, a recall\'s reach, the event browser, the dossier', { timeout: 180_000 }, async (t) => {
  const { browser, as } = await launch();
  try {
    const officer = await as('officer-130000');
    // A batch with flow: the one of a unit the demo sold, among batches not recalled (other
    // browser tests on the same node add batches of their own, and one recalls a demo
    // batch, so neither the list of batches nor the first sale is a guide).
    const found = await soldUnitOfActiveBatch(officer);
    const soldCode = found?.code;
    const batch = found?.batch;
    assert.ok(batch, 'a sold unit of a demo batch that is not recalled');
    const product = String(batch.product_id);

    await t.test('a batch forward: table, graph and download agree with the API', async () => {
      await officer.click('nav.mainnav a[href="/console/trace"]');
      await officer.waitForURL(/\/console\/trace$/);
      await officer.fill('#trace-batch input[name=product]', product);
      await officer.fill('#trace-batch input[name=lot]', batch.lot);
      await submitAndWait(officer, officer.locator('#trace-batch button[type=submit]'));
      const json = await api(officer, `/api/v1/trace/batch/${product}/${encodeURIComponent(batch.lot)}`);
      assert.ok(json.totals.places_reached > 3, 'centres and shops were reached');
      assert.equal(await officer.locator('table.places tbody tr').count(), json.holders.length);
      const first = await officer.locator('table.places tbody tr').first().locator('td').first().textContent();
      assert.equal(first.trim(), json.holders[0].name, 'the maker first');
      assert.ok(await officer.locator('svg.flow-graph g.place').count() >= 3, 'boxes for the maker, centres and shops');
      assert.ok(await officer.locator('svg.flow-graph path.leg').count() >= 2, 'lines for shipments');
      const [download] = await Promise.all([officer.waitForEvent('download'), officer.click('#batch-xlsx')]);
      assert.match(download.suggestedFilename(), /\.xlsx$/);
      await officer.screenshot({ path: shot('trace-01-batch.png'), fullPage: true });
    });

    await t.test('a unit back through its case, with where it is now', async () => {
      const code = soldCode;
      await officer.goto(`${base}/console/trace`);
      await officer.fill('#trace-code input[name=code]', code);
      await submitAndWait(officer, officer.locator('#trace-code button[type=submit]'));
      assert.match(await officer.textContent('#unit-status'), /已售出/);
      const steps = await officer.locator('#unit-steps li').allTextContents();
      assert.ok(steps.some((s) => /packing/.test(s)) && steps.some((s) => /retail_selling/.test(s)), steps.join('\n'));
      assert.ok(steps.some((s) => /随箱/.test(s)), 'some steps came through the case');
      await officer.screenshot({ path: shot('trace-02-unit.png'), fullPage: true });
    });

    await t.test('a recall\'s reach lists the places holding the lot', async () => {
      await officer.goto(`${base}/console/trace`);
      await officer.fill('#trace-reach input[name=product]', product);
      await officer.fill('#trace-reach input[name=lots]', batch.lot);
      await submitAndWait(officer, officer.locator('#trace-reach button[type=submit]'));
      assert.match(await officer.textContent('#reach h2'), new RegExp(batch.lot));
      assert.ok(await officer.locator('table.places tbody tr').count() > 3);
    });

    await t.test('the event browser filters by business step; the dossier opens', async () => {
      await officer.click('nav.mainnav a[href="/console/events"]');
      await officer.waitForURL(/\/console\/events/);
      await officer.fill('#filter-biz-step', 'shipping');
      await submitAndWait(officer, officer.locator('#filter-biz-step').locator('xpath=ancestor::form//button[@type="submit"]'));
      const steps = await officer.locator('tr[data-biz-step]').evaluateAll((rows) => rows.map((r) => r.dataset.bizStep));
      assert.ok(steps.length > 0 && steps.every((s) => /shipping/.test(s)), steps.slice(0, 3).join(', '));
      await officer.goto(`${base}/console/batches/${batch.id}/dossier`);
      assert.match(await officer.textContent('h1'), /追溯档案|dossier/i);
      await officer.screenshot({ path: shot('trace-03-dossier.png'), fullPage: true });
    });

    await t.test('the bureau orders a recall of the batch: parties told, the code verifies as recalled, the recall closes', async () => {
      await officer.click('nav.mainnav a[href="/console/recalls"]');
      await officer.waitForURL(/\/console\/recalls$/);
      await officer.click('#start-recall summary');
      await officer.fill('#start-recall input[name=product]', product);
      await officer.fill('#start-recall input[name=lots]', batch.lot);
      await officer.selectOption('#start-recall select[name=risk_class]', 'II');
      await officer.fill('#start-recall textarea[name=reason]', '浏览器测试：包装密封不严，可能变质');
      await officer.fill('#start-recall input[name=remedy]', '停止销售，退回生产企业');
      await submitAndWait(officer, officer.locator('#start-recall button[type=submit]'));
      assert.match(new URL(officer.url()).pathname, /^\/console\/recalls\/\d+$/);
      assert.match(await flash(officer), /召回已登记/);
      assert.match(await officer.textContent('#recall-status'), /实施中/);
      const id = new URL(officer.url()).pathname.split('/').pop();
      const recall = await api(officer, `/api/v1/recalls/${id}`);
      assert.ok(recall.parties.length > 3, 'the centres and shops are told');
      assert.equal(await officer.locator('#recall-parties tbody tr').count(), recall.parties.length);
      await officer.screenshot({ path: shot('trace-04-recall.png'), fullPage: true });

      const consumer = await officer.context().browser().newPage();
      await consumer.goto(`${base}/q/${soldCode}`);
      assert.equal(await consumer.getAttribute('section.verdict', 'data-verdict'), 'recalled');
      assert.match(await consumer.textContent('#recall-notice'), /停止销售，退回生产企业/);
      await consumer.screenshot({ path: shot('trace-05-recalled-code.png'), fullPage: true });
      await consumer.close();

      await officer.fill('#close-form textarea[name=report]', '浏览器测试：已通知全部单位，售出部分已公告。');
      await submitAndWait(officer, officer.locator('#close-form button[type=submit]'));
      assert.match(await officer.textContent('#recall-status'), /已结束/);
      assert.match(await officer.textContent('#closing-report'), /已通知全部单位/);
    });
  } finally {
    await browser.close();
  }
});
