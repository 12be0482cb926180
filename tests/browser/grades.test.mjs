// Credit grades through the console in headless Chromium: the province officer reads the
// grade distribution (an SVG chart and a table per city, drilling down to a city) and the
// supervision calendar; an enterprise opens its own grade from its archive, reads every
// reason, publishes a quality commitment and sees its score rise, then withdraws it; the
// admin's rule set with an error is refused with its line and nothing changes.
//
// It starts nothing itself: run.sh starts a demo node and sets ZHIJIAN_URL.
//
//   node --test grades.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, base, flash, launch, shot, shots, submitAndWait } from './session.mjs';

test('credit grades: distribution, calendar, an enterprise\'s reasons and commitment, the rule set', { timeout: 180_000 }, async (t) => {
  const { browser, as } = await launch();
  try {
    await t.test('the province officer reads the distribution and drills down to a city', async () => {
      const officer = await as('officer-130000');
      await officer.click('nav.mainnav a[href="/console/grades"]');
      await officer.waitForURL(/\/console\/grades$/);
      assert.match(await officer.textContent('h1'), /信用等级分布/);
      const json = await api(officer, '/api/v1/grades/distribution');
      const total = json.counts.reduce((n, c) => n + c.count, 0);
      assert.ok(total > 0, 'the demo enterprises are graded');
      const shown = await officer.locator('#grade-counts .stat-value').allTextContents();
      assert.deepEqual(shown.map(Number), json.counts.map((c) => c.count), 'the counts are the API\'s');
      assert.ok(await officer.locator('svg.chart rect.chart-segment').count() >= json.regions.length, 'a segment per region at least');
      assert.equal(await officer.locator('#grade-table tbody tr').count(), json.regions.length);
      assert.equal(await officer.locator('#tile-map g.tile').count(), 11, 'a tile for each of Hebei\'s cities');
      await officer.screenshot({ path: shot('grades-01-distribution.png'), fullPage: true });
      await submitAndWait(officer, officer.locator('#grade-table tbody a', { hasText: '石家庄' }).first());
      assert.match(officer.url(), /region=130100/);
      const city = await api(officer, '/api/v1/grades/distribution?region=130100');
      assert.equal(await officer.locator('#grade-table tbody tr').count(), city.regions.length, 'the counties of the city');

      await officer.goto(`${base}/console/supervision?within=30`);
      assert.match(await officer.textContent('h1'), /分类监管日程/);
      const due = await api(officer, '/api/v1/supervision/due?within_days=30&per_page=1');
      assert.match(await officer.textContent('#results-total'), new RegExp(`${due.total}`));
      await officer.selectOption('#due-filters select[name=grade]', 'D');
      await submitAndWait(officer, officer.locator('#due-filters button[type=submit]'));
      const badges = await officer.locator('#due-table .badge').allTextContents();
      assert.ok(badges.every((b) => b.startsWith('D')), `only D: ${badges}`);
      await officer.screenshot({ path: shot('grades-02-calendar.png'), fullPage: true });
    });

    await t.test('an enterprise reads its reasons, publishes a commitment and withdraws it', async () => {
      const maker = await as('enterprise-1');
      const me = (await api(maker, '/api/v1/me')).organisation;
      await maker.goto(`${base}/console/enterprises/${me.uscc}`);
      assert.equal(await maker.locator('#grade-card').count(), 1, 'the archive shows the grade');
      await maker.goto(`${base}/console`);
      await submitAndWait(maker, maker.locator('a[href="/console/my-grade"]'));
      assert.equal(new URL(maker.url()).pathname, `/console/enterprises/${me.uscc}/grade`);
      const before = await api(maker, `/api/v1/enterprises/${me.uscc}/grade`);
      assert.equal((await maker.textContent('#score')).trim(), String(before.score));
      assert.equal(await maker.locator('#factors tbody tr').count(), before.factors.length, 'a row per factor');
      assert.match(await maker.textContent('#factors'), /基础分/);
      await maker.screenshot({ path: shot('grades-03-reasons.png'), fullPage: true });

      const title = `浏览器测试质量承诺 ${Date.now()}`;
      await maker.click('#commitments summary');
      await maker.fill('#commitment-form input[name=title]', title);
      await maker.fill('#commitment-form textarea[name=body]', '我公司承诺严格执行产品标准。');
      await submitAndWait(maker, maker.locator('#commitment-form button[type=submit]'));
      assert.match(await flash(maker), /已发布/);
      assert.equal(await maker.locator('article', { hasText: title }).count(), 1);
      const after = await api(maker, `/api/v1/enterprises/${me.uscc}/grade`);
      const had = before.factors.some((f) => f.name === 'commitment');
      assert.ok(after.factors.some((f) => f.name === 'commitment'), 'the commitment counts');
      if (!had) assert.equal(after.score, Math.min(1000, before.score + 30), 'thirty points for a first commitment');
      assert.equal((await maker.textContent('#score')).trim(), String(after.score));

      const card = maker.locator('article', { hasText: title });
      await submitAndWait(maker, card.locator('button[type=submit]'));
      assert.match(await flash(maker), /已撤回/);
      const back = await api(maker, `/api/v1/enterprises/${me.uscc}/grade`);
      assert.equal(back.score, before.score, 'withdrawn, it no longer counts');
    });

    await t.test('a rule set with an error is refused with its line, and nothing changes', async () => {
      const admin = await as('admin');
      const before = await api(admin, '/api/v1/grading/rules');
      await admin.goto(`${base}/console/grading/rules`);
      const text = await admin.inputValue('#rules-form textarea[name=body]');
      const bad = text.replace('B = 650', 'B = 850');
      assert.notEqual(bad, text);
      await admin.fill('#rules-form textarea[name=body]', bad);
      await submitAndWait(admin, admin.locator('#rules-form button[type=submit]'));
      const line = bad.split('\n').indexOf('B = 850') + 1;
      const error = await admin.textContent('#rules-error');
      assert.match(error, new RegExp(`line ${line}`));
      assert.match(error, /thresholds\.B/);
      assert.equal(await admin.inputValue('#rules-form textarea[name=body]'), bad, 'what was typed is kept');
      const after = await api(admin, '/api/v1/grading/rules');
      assert.equal(after.version, before.version, 'the rules in force stay');
      await admin.screenshot({ path: shot('grades-04-rules-refused.png'), fullPage: true });
    });
  } finally {
    await browser.close();
    console.log(`screenshots: ${shots}`);
  }
});
