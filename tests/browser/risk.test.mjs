// Risk early warning and incidents through the console in headless Chromium: injury
// reports bunch in a county, detection raises a warning owned by the city's bureau, whose
// officer finds it in the console, acknowledges it, records measures, publishes it (the
// public announcements page shows it) and closes it; the same officer opens an emergency
// incident, records an action, links an enterprise and the warning, raises the level, is
// refused a closing report that says nothing, and closes it; a viewer reads it but gets
// no forms.
//
// It starts nothing itself: run.sh starts a demo node and sets ZHIJIAN_URL.
//
//   node --test risk.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, base, flash, launch, shot, shots, submitAndWait } from './session.mjs';

test('risk: a warning through its lifecycle, an incident from opening to its closing report', { timeout: 180_000 }, async (t) => {
  const { browser, as } = await launch();
  try {
    let incidentUrl = '';
    let warningId = 0;
    await t.test('a warning raised from bunched injury reports goes through its lifecycle', async () => {
      const officer = await as('officer-130100');
      await officer.goto(`${base}/console/incidents`);
      const csrf = await officer.inputValue('input[name=csrf]');
      const post = async (path, data) => {
        const r = await officer.request.post(`${base}${path}`, { data, headers: { 'X-CSRF-Token': csrf } });
        return { status: r.status(), json: await r.json() };
      };
      const now = Date.now();
      const signals = [0, 1, 2, 3, 4].map((i) => ({
        kind: 'injury', category: 'F05', region: '130102', severity: 3,
        time: new Date(now - (i + 1) * 3_600_000).toISOString(),
      }));
      const bad = await post('/api/v1/signals', [...signals, { ...signals[0], region: '999999' }]);
      assert.equal(bad.status, 422, 'an unknown region refuses the whole import');
      assert.equal(bad.json.field, '[5].region');
      const imported = await post('/api/v1/signals', signals);
      assert.equal(imported.status, 201, JSON.stringify(imported.json));
      assert.equal(imported.json.count, 5);
      const run = await post('/api/v1/risk/detect', { as_of: new Date(now).toISOString() });
      assert.equal(run.status, 200, JSON.stringify(run.json));
      const open = await api(officer, '/api/v1/warnings?status=open&kind=cluster&category=F05&per_page=100');
      const w = open.items.find((x) => x.region.startsWith('1301'));
      assert.ok(w, `a cluster warning for the city: ${JSON.stringify(open.items)}`);
      warningId = w.id;

      await officer.goto(`${base}/console/warnings?status=open`);
      await submitAndWait(officer, officer.locator(`#warnings-table tr[data-warning="${warningId}"] a`).first());
      assert.equal(new URL(officer.url()).pathname, `/console/warnings/${warningId}`);
      assert.ok(await officer.locator('#warning-evidence tbody tr').count() >= 5, 'the injury reports are its evidence');
      await officer.screenshot({ path: shot('risk-00-warning-raised.png'), fullPage: true });
      const status = async () => officer.getAttribute('#warning-title', 'data-status');
      if ((await status()) === 'raised') {
        await submitAndWait(officer, officer.locator('#transition-acknowledged'));
        assert.equal(await status(), 'acknowledged');
      }
      if ((await status()) === 'acknowledged') {
        await officer.fill('#transition-note', '责令涉事企业暂停销售，抽检同批次产品');
        await submitAndWait(officer, officer.locator('#transition-measures'));
        assert.equal(await status(), 'measures');
      }
      assert.match(await officer.textContent('#warning-steps'), /责令涉事企业暂停销售/);
      await submitAndWait(officer, officer.locator('#publish-true'));
      assert.match(await officer.textContent('#warning-public'), /已公开/);
      const pub = await officer.context().request.get(`${base}/announcements`);
      assert.match(await pub.text(), new RegExp(`id="warning-${warningId}"`), 'the public page shows it');
      await officer.fill('#transition-note', '同批次产品抽检合格，伤害报告不再增加');
      await submitAndWait(officer, officer.locator('#transition-closed'));
      assert.equal(await status(), 'closed');
      assert.equal(await officer.locator('#warning-transition').count(), 0, 'a closed warning has no next step');
      await officer.screenshot({ path: shot('risk-00-warning-closed.png'), fullPage: true });
    });

    await t.test('a city officer opens an incident and handles it to its close', async () => {
      const officer = await as('officer-130100');
      const maker = (await api(officer, '/api/v1/enterprises?region=130100&per_page=1')).items[0];
      await submitAndWait(officer, officer.locator('#nav-warnings'));
      assert.equal(new URL(officer.url()).pathname, '/console/risk');
      await submitAndWait(officer, officer.locator('#link-incidents'));
      assert.equal(new URL(officer.url()).pathname, '/console/incidents');
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

      await officer.selectOption('#link-form select[name=kind]', 'warning');
      await officer.fill('#link-form input[name=target]', String(warningId));
      await submitAndWait(officer, officer.locator('#link-form button[type=submit]'));
      assert.match(await officer.textContent('#links'), new RegExp(`/console/warnings/${warningId}|${warningId}`));

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
      assert.deepEqual(kinds, ['opened', 'action', 'linked', 'linked', 'level', 'closed']);
      await officer.screenshot({ path: shot('risk-01-incident-closed.png'), fullPage: true });
    });

    await t.test('a viewer of the province reads it without forms', async () => {
      const viewer = await as('viewer-130000');
      await viewer.goto(incidentUrl);
      assert.match(await viewer.textContent('#incident-status'), /已结案/);
      assert.equal(await viewer.locator('#open-incident').count(), 0);
      await viewer.goto(`${base}/console/incidents`);
      assert.equal(await viewer.locator('#open-incident').count(), 0, 'a viewer opens nothing');
      await viewer.goto(`${base}/console/risk`);
      assert.equal(await viewer.locator('#risk-tiles g.tile').count(), 11, 'the province\'s cities as tiles');
      const open = await api(viewer, '/api/v1/warnings?status=open&per_page=1');
      assert.equal(await viewer.locator('#top-risks tbody tr').count(), Math.min(10, open.total), 'the top risks');
      await viewer.screenshot({ path: shot('risk-03-overview.png'), fullPage: true });
    });
  } finally {
    await browser.close();
    console.log(`screenshots: ${shots}`);
  }
});
