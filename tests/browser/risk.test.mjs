// Risk early warning and incidents through the console in headless Chromium: a city
// officer opens an emergency incident, records an action, links an enterprise, raises
// the level, is refused a closing report that says nothing, and closes it; a viewer reads
// it but gets no forms.
//
// It starts nothing itself: run.sh starts a demo node and sets ZHIJIAN_URL.
//
//   node --test risk.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, base, flash, launch, shot, shots, submitAndWait } from './session.mjs';

test('risk: an incident from opening to its closing report', { timeout: 180_000 }, async (t) => {
  const { browser, as } = await launch();
  try {
    let incidentUrl = '';
    await t.test('a city officer opens an incident and handles it to its close', async () => {
      const officer = await as('officer-130100');
      const maker = (await api(officer, '/api/v1/enterprises?region=130100&per_page=1')).items[0];
      await officer.click('nav.mainnav a[href="/console/incidents"]');
      await officer.waitForURL(/\/console\/incidents$/);
      const title = `浏览器测试：儿童饮用奶制品后腹泻 ${Date.now()}`;
      await officer.click('#open-incident summary');
      await officer.fill('#open-incident input[name=title]', title);
      await officer.selectOption('#open-incident select[name=level]', 'III');
      await officer.fill('#open-incident input[name=region]', '130102');
      await officer.fill('#open-incident input[name=category]', 'F05');
      await officer.fill('#open-incident textarea[name=summary]', '医院报告 6 名儿童就诊，均饮用同一品牌奶制品。');
      await submitAndWait(officer, officer.locator('#open-incident button[type=submit]'));
      assert.match(new URL(officer.url()).pathname, /^\/console\/incidents\/\d+$/);
      incidentUrl = officer.url();
      assert.match(await flash(officer), /已登记/);
      assert.match(await officer.textContent('#incident-level'), /III/);

      await officer.selectOption('#step-form select[name=kind]', 'action');
      await officer.fill('#step-form textarea[name=text]', '责令涉事批次下架封存');
      await submitAndWait(officer, officer.locator('#step-form button[type=submit]'));
      assert.match(await officer.textContent('#timeline'), /责令涉事批次下架封存/);

      await officer.fill('#link-form input[name=target]', maker.uscc);
      await submitAndWait(officer, officer.locator('#link-form button[type=submit]'));
      assert.match(await officer.textContent('#links'), new RegExp(maker.uscc));
      await officer.fill('#link-form input[name=target]', '91110000000000000X');
      await submitAndWait(officer, officer.locator('#link-form button[type=submit]'));
      assert.match(await flash(officer), /未能完成|not done/i, 'an enterprise it cannot see is refused');

      await officer.selectOption('#level-form select[name=level]', 'II');
      await officer.fill('#level-form input[name=text]', '就诊人数升至 30 人');
      await submitAndWait(officer, officer.locator('#level-form button[type=submit]'));
      assert.match(await officer.textContent('#incident-level'), /II/);

      // The browser would stop a report under 20 characters; the server says so too.
      await officer.fill('#close-form textarea[name=text]', '已处置');
      await officer.evaluate(() => document.querySelector('#close-form textarea').removeAttribute('minlength'));
      await submitAndWait(officer, officer.locator('#close-form button[type=submit]'));
      assert.match(await flash(officer), /未能完成|not done/i);
      assert.equal(await officer.locator('#closing-report').count(), 0);
      await officer.fill('#close-form textarea[name=text]', '经检验涉事批次菌落总数超标；已召回 1.2 万盒并销毁，企业停产整改，患儿均已康复出院。');
      await submitAndWait(officer, officer.locator('#close-form button[type=submit]'));
      assert.match(await flash(officer), /结案/);
      assert.match(await officer.textContent('#closing-report'), /召回 1.2 万盒/);
      assert.equal(await officer.locator('#step-form').count(), 0, 'nothing more is recorded on a closed incident');
      const kinds = await officer.locator('#timeline li').evaluateAll((lis) => lis.map((li) => li.dataset.kind));
      assert.deepEqual(kinds, ['opened', 'action', 'linked', 'level', 'closed']);
      await officer.screenshot({ path: shot('risk-01-incident-closed.png'), fullPage: true });
    });

    await t.test('a viewer of the province reads it without forms', async () => {
      const viewer = await as('viewer-130000');
      await viewer.goto(incidentUrl);
      assert.match(await viewer.textContent('#incident-status'), /已结案/);
      assert.equal(await viewer.locator('#open-incident').count(), 0);
      await viewer.goto(`${base}/console/incidents`);
      assert.equal(await viewer.locator('#open-incident').count(), 0, 'a viewer opens nothing');
    });
  } finally {
    await browser.close();
    console.log(`screenshots: ${shots}`);
  }
});
