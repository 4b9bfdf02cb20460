import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { getModel } from '@shardgrad/models';
import { attachClassroom, createCoordinator, runSession, type Classroom, type Coordinator, type TrainingSummary } from '@shardgrad/coordinator';
import { spawnLocalWorkers, type LocalWorkers } from '../../apps/cli/src/local-workers.ts';
import { haveChromium, launchChromium, waitForPhase } from './support/chromium.ts';

/** Screenshots are kept as CI artifacts; one of each is committed under docs/images for the README. */
const ARTIFACTS = 'test-results';
/** Patience, not a speed requirement: on 2 busy cores the worker processes take a while to start. */
const WAIT_MS = 120_000;

const points = (page: Page) => page.$eval('#chart-loss', (el) => Number((el as HTMLElement).dataset.points ?? 0));
const liveRows = (page: Page) => page.$$eval('#workers tbody tr:not(.gone)', (rows) => rows.map((r) => r.textContent ?? ''));
// Polled on a timer: the default polls on animation frames, which a page that has lost the
// foreground to another tab (the student page, opened and closed before the stop) no longer gets.
const badge = (page: Page, state: string) => page.waitForFunction((s) => document.getElementById('state')?.textContent === s, state, { polling: 100 });
const statusLine = (page: Page) => page.textContent('#control-status');
/** The page's box of an element, in CSS pixels. */
const box = async (page: Page, selector: string) => (await page.locator(selector).boundingBox())!;
const inside = (inner: { x: number; y: number; width: number; height: number }, outer: { x: number; y: number; width: number; height: number }) =>
  inner.x >= outer.x - 0.5 && inner.y >= outer.y - 0.5 && inner.x + inner.width <= outer.x + outer.width + 0.5 && inner.y + inner.height <= outer.y + outer.height + 0.5;

describe.skipIf(!haveChromium)('the teacher’s dashboard in a real browser', () => {
  let c: Coordinator;
  let room: Classroom;
  let fleet: LocalWorkers;
  let session: Promise<TrainingSummary[]>;
  let browser: Browser;
  let page: Page;
  let closed = false;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await initNodeBackend('wasm');
    c = await createCoordinator({ model: 'mnist-mlp', batch: 32, port: 0 });
    room = await attachClassroom(c);
    fleet = spawnLocalWorkers(2, c.url, { backend: 'wasm', json: true });
    session = runSession(c, {
      plan: () => ({ epochs: 50, maxSteps: 100_000, minWorkers: 2, evaluateEvery: 10 }),
      record: { root: mkdtempSync(join(tmpdir(), 'shardgrad-dashboard-')) },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(room.teacherUrl);
    await page.waitForSelector('body[data-ready="true"]');
  });

  afterAll(async () => {
    c?.control.stop();
    await browser?.close();
    await fleet?.stop();
    room?.close();
    if (!closed) await c?.close();
  });

  it('shows the live run: its curves gain points while the fleet trains, and lists each worker', async () => {
    await page.waitForFunction(() => Number(document.getElementById('chart-loss')?.dataset.points) >= 5);
    const before = await points(page);
    await page.waitForFunction((n) => Number(document.getElementById('chart-loss')?.dataset.points) > n + 5, before);
    expect(Number(await page.$eval('#chart-speed', (el) => (el as HTMLElement).dataset.points))).toBeGreaterThan(0);
    await page.waitForFunction(() => document.querySelectorAll('#workers tbody tr:not(.gone)').length === 2);
    const rows = await liveRows(page);
    expect(rows.some((r) => r.includes('local-1') && r.includes('node') && r.includes('wasm'))).toBe(true);
    expect(rows.some((r) => r.includes('local-2'))).toBe(true);
    await page.waitForSelector('#preview[data-step]');
    // Two workers make the gradient noise scale measurable: its chart appears.
    await page.waitForSelector('#chart-scalars:not([hidden])');
    // The token came in the URL fragment and is gone from the address bar (the projector shows it).
    expect(page.url()).not.toContain('token');
  });

  it('shows a QR code that decodes to the join URL', async () => {
    const shot = PNG.sync.read(await page.locator('#qr').screenshot());
    const code = jsQR(new Uint8ClampedArray(shot.data), shot.width, shot.height);
    expect(code?.data).toBe(room.joinUrl);
    expect(await page.textContent('#join-url')).toBe(room.joinUrl);
    expect(await page.textContent('#join-code')).toBe(room.auth.joinCode);
  });

  it('shows the whole join code on a phone, and keeps the join URL and the run id whole on a laptop', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    phone.setDefaultTimeout(WAIT_MS);
    try {
      await phone.goto(room.dashboardUrl);
      await phone.waitForSelector('body[data-ready="true"]');
      await phone.click('#show-join');
      await phone.waitForSelector('#join-dialog[open]');
      const viewport = { x: 0, y: 0, width: 390, height: 844 };
      const dialog = await box(phone, '#join-dialog');
      expect(inside(dialog, viewport)).toBe(true);
      for (const part of ['#qr-big', '#join-url-big', '#join-code-big']) expect(inside(await box(phone, part), dialog)).toBe(true);
      const shot = PNG.sync.read(await phone.locator('#qr-big').screenshot());
      expect(jsQR(new Uint8ClampedArray(shot.data), shot.width, shot.height)?.data).toBe(room.joinUrl);
      await phone.screenshot({ path: join(ARTIFACTS, 'dashboard-phone-join.png') });
    } finally {
      await phone.close();
    }
    const laptop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    laptop.setDefaultTimeout(WAIT_MS);
    try {
      await laptop.goto(room.dashboardUrl);
      await laptop.waitForSelector('body[data-ready="true"]');
      expect(inside(await box(laptop, '#join-url'), await box(laptop, '.panel.join'))).toBe(true);
      // One line box: the id wraps as a whole or not at all. Asked within one evaluation of the live
      // page: the header is redrawn as rounds go by, and an element from a redrawn header has no boxes.
      await laptop.waitForFunction(() => document.querySelector('#run-info .run-id')?.getClientRects().length === 1);
      expect(await laptop.textContent('#run-info .run-id')).toContain(c.runId);
    } finally {
      await laptop.close();
    }
  });

  it('tells a viewer without the token, in plain words, where the teacher token is', async () => {
    // Joining takes the code from here on, as under `coordinator` (the node workers keep their places).
    c.admission.configure({ auth: room.auth });
    const viewer = await browser.newPage();
    viewer.setDefaultTimeout(WAIT_MS);
    await viewer.goto(room.dashboardUrl);
    await viewer.waitForSelector('body[data-ready="true"]');
    expect(await viewer.isVisible('#token-form')).toBe(true);
    await viewer.click('button[data-action="pause"]');
    await viewer.waitForFunction(() => /teacher token is missing or wrong/.test(document.getElementById('control-status')?.textContent ?? ''));
    expect(await statusLine(viewer)).toMatch(/printed once in the coordinator’s terminal/);
    expect(c.control.paused).toBe(false);
    expect(await viewer.isVisible('#token-form')).toBe(true);
    // The join code lets anyone join: it stays off a page opened without the token…
    expect(await viewer.isVisible('#join-live')).toBe(false);
    expect(await viewer.textContent('#join-closed')).toMatch(/for the teacher only/);
    expect(await viewer.content()).not.toContain(room.auth.joinCode);
    // …and appears once the teacher pastes the token.
    await viewer.fill('#token', room.auth.teacherToken);
    await viewer.click('#token-form button');
    await viewer.waitForFunction((code) => document.getElementById('join-code')?.textContent === code, room.auth.joinCode);
    expect(await viewer.isVisible('#join-live')).toBe(true);
    await viewer.close();
  });

  it('pauses, checkpoints, resumes, changes the learning rate and the batch', async () => {
    await page.click('button[data-action="pause"]');
    await badge(page, 'paused');
    expect(c.control.paused).toBe(true);
    await page.click('button[data-action="checkpoint"]');
    await page.waitForFunction(() => /checkpoint written to/.test(document.getElementById('control-status')?.textContent ?? ''));
    await page.click('button[data-action="resume"]');
    await badge(page, 'training');
    const at = await points(page);
    await page.waitForFunction((n) => Number(document.getElementById('chart-loss')?.dataset.points) > n, at);

    // The input holds the base rate, rounded; the header's rate is rounded too.
    expect(await page.inputValue('#lr')).toBe(String(Number(c.config.state.baseLearningRate.toPrecision(3))));
    expect(await page.textContent('#run-info')).toMatch(/ lr \d\.?\d{0,3}(e-\d+)?( |$)/);
    await page.fill('#lr', '0.0005');
    await page.click('#lr-form button');
    await page.waitForFunction(() => /^base learning rate .* → 0\.0005$/.test(document.getElementById('control-status')?.textContent ?? ''));
    expect(c.config.state.optimizer.learningRate).toBe(0.0005);
    await page.waitForFunction(() => / lr 0\.0005/.test(document.getElementById('run-info')?.textContent ?? ''));
    // A value the browser refuses itself (it never reaches the server) replaces the last answer.
    for (const bad of ['0', '2.5']) {
      await page.fill('#batch', bad);
      await page.click('#batch-form button');
      expect(await statusLine(page)).toBe('the batch must be a whole number from 1 to 65,536');
      await page.fill('#lr', '0.0005');
      await page.click('#lr-form button');
      await page.waitForFunction(() => /^base learning rate/.test(document.getElementById('control-status')?.textContent ?? ''));
    }
    await page.fill('#lr', '0');
    await page.click('#lr-form button');
    expect(await statusLine(page)).toBe('the learning rate must be a number from 1e-12 to 10');
    expect(c.config.state.baseLearningRate).toBe(0.0005);
    // The new run's fields show the chosen model's defaults until the teacher types others.
    const def = getModel(await page.inputValue('#new-model'));
    expect(await page.getAttribute('#new-batch', 'placeholder')).toBe(String(def.defaults.batch));
    expect(await page.getAttribute('#new-lr', 'placeholder')).toBe(String(Number(def.optimizer.learningRate.toPrecision(3))));
    await page.fill('#batch', '24');
    await page.click('#batch-form button');
    await page.waitForFunction(() => /batch 32 → 24/.test(document.getElementById('control-status')?.textContent ?? ''));
    expect(c.config.batch).toBe(24);
    await page.waitForFunction(() => /batch 24/.test(document.getElementById('run-info')?.textContent ?? ''));
    // The refused 0 stays where the teacher typed it (the page never overwrites a field being edited); the README's picture shows the rate in force.
    await page.fill('#lr', '0.0005');
    await page.evaluate(() => scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  it('shows the student page: a named tab trains with the class and sees its place on the leaderboard', async () => {
    const tab = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    tab.setDefaultTimeout(WAIT_MS);
    try {
      // The first request builds the join page's bundle; on a busy machine that takes a while.
      // Pinned to wasm: calibrating every backend on SwiftShader would only make the test slow.
      // The URL typed by hand from the projector, without its code: the page asks for the code before
      // it downloads or calibrates anything, and the typed code joins. (Codes checked as `coordinator`
      // checks them; the node workers joined before, and keep their places.)
      c.admission.configure({ auth: room.auth });
      const bare = new URL(room.joinUrl);
      bare.searchParams.delete('code');
      bare.searchParams.set('backend', 'wasm');
      await tab.goto(bare.href);
      await tab.waitForSelector('#code-form:not([hidden])');
      expect(await tab.textContent('#message')).toMatch(/class code/);
      expect(await tab.textContent('#backend')).toBe('–');
      // A wrong code is refused at hello; the page asks again instead of stopping at an error.
      await tab.fill('#code', 'WRONG7');
      await Promise.all([tab.waitForURL(/code=WRONG7/), tab.click('#code-form button')]);
      await tab.waitForFunction(() => /not accepted/.test(document.getElementById('message')?.textContent ?? ''), undefined, { polling: 100 });
      expect(await tab.isVisible('#code-form')).toBe(true);
      await tab.fill('#code', room.auth.joinCode.toLowerCase());
      await Promise.all([tab.waitForURL(new RegExp(`code=${room.auth.joinCode}`)), tab.click('#code-form button')]);
      expect(await tab.isVisible('#code-form')).toBe(false);
      // The student types a name; the tab joins again under it.
      await tab.fill('#name', 'Ada');
      await Promise.all([tab.waitForURL(/name=Ada/), tab.click('#name-form button')]);
      await waitForPhase(tab, ['training', 'waiting']);
      await page.waitForFunction(() =>
        [...document.querySelectorAll<HTMLTableRowElement>('#workers tbody tr:not(.gone)')].some((r) => r.cells[0]?.textContent === 'Ada' && /browser/.test(r.textContent ?? '')),
      );
      await tab.waitForFunction(() => (document.getElementById('mine-samples')?.textContent ?? '0') !== '0');
      // What this tab did, the class total and the leaderboard with this tab marked.
      await tab.waitForFunction(() => /Ada \(you\)/.test(document.getElementById('leaderboard')?.textContent ?? ''));
      expect(await tab.textContent("#mine-minutes")).toMatch(/helping for (under a minute|\d+ min)/);
      expect(await tab.$$eval('#leaderboard li', (li) => li.length)).toBe(3);
      expect(Number((await tab.textContent('#class-samples'))?.replace(/\D/g, ''))).toBeGreaterThan(0);
      // A reload (or a rename, which rejoins with the same resume key) comes back as the same worker: no second row.
      type Snap = { workerId?: string; contribution: { samples: number } };
      const snapshot = () => tab.evaluate(() => (globalThis as unknown as { shardgrad: { snapshot(): Snap } }).shardgrad.snapshot());
      const before = await snapshot();
      await tab.reload();
      await waitForPhase(tab, ['training', 'waiting']);
      const after = await snapshot();
      expect(after.workerId).toBe(before.workerId);
      // The tab's own count carries on from where it was, as the coordinator's count for it does.
      expect(after.contribution.samples).toBeGreaterThanOrEqual(before.contribution.samples);
      expect(before.contribution.samples).toBeGreaterThan(0);
      await tab.waitForFunction(() => /Ada \(you\)/.test(document.getElementById('leaderboard')?.textContent ?? ''), undefined, { polling: 100 });
      expect(await tab.$$eval('#leaderboard li', (li) => li.length)).toBe(3);
      await tab.screenshot({ path: join(ARTIFACTS, 'student.png'), fullPage: true });
    } finally {
      await tab.screenshot({ path: join(ARTIFACTS, 'student-last.png'), fullPage: true });
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-last.png'), fullPage: true });
      await tab.close();
    }
  });

  it('stops the run from the page; a finished run takes no new settings; then the coordinator closes', async () => {
    await page.click('button[data-action="stop"]');
    const [summary] = await session;
    expect(summary!.steps).toBeGreaterThan(0);
    await badge(page, 'finished');
    await page.waitForSelector('#lr-form button:disabled');
    expect(await page.isDisabled('#batch-form button')).toBe(true);

    // As `coordinator` without --keep-alive does after its run: the page says the class is over.
    room.close();
    await c.close();
    closed = true;
    await page.waitForSelector('#banner:not([hidden])');
    expect(await page.textContent('#banner')).toMatch(/^The run finished and the coordinator has closed/);
    expect(await page.textContent('#worker-count')).not.toMatch(/connected/);
    expect(await page.isVisible('#join-live')).toBe(false);
    expect(await page.isDisabled('button[data-action="checkpoint"]')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-closed.png'), fullPage: true });
  });
});
