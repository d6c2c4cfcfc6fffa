/**
 * The dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright-core)
 * against the platform started in-process on an ephemeral port: an agent's whole life in the
 * browser, with live status and no reload.
 *
 * Skips only when Chromium is missing and BERTH_REQUIRE_INFRA is unset (CI sets it: a missing
 * browser there fails). Screenshots go to test-artifacts/; with BERTH_UPDATE_SCREENSHOT=1 the
 * README's docs/img/dashboard.png is refreshed too.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMemoryDriver, type MemoryDriver } from '@berth/driver-memory';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Platform, startPlatform } from '../src/index.js';

const CHROMIUM = process.env.BERTH_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const requireInfra = Boolean(process.env.BERTH_REQUIRE_INFRA);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const artifacts = join(repoRoot, 'test-artifacts');

/** Flags that keep Chromium from reaching for the network (it would stall here otherwise). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

describe.skipIf(!hasChromium && !requireInfra)('dashboard (headless Chromium)', () => {
  let platform: Platform;
  let driver: MemoryDriver;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!hasChromium) {
      throw new Error(
        `BERTH_REQUIRE_INFRA is set but ${CHROMIUM} is missing (scripts/ci/install-chromium.sh)`,
      );
    }
    mkdirSync(artifacts, { recursive: true });
    // Real latency (so transient statuses are visible), small enough to keep the test quick.
    driver = createMemoryDriver({ latency: 150 });
    platform = await startPlatform(loadConfig({ PORT: '0', BERTH_STORE: 'memory', HOST: '127.0.0.1' }), {
      driver,
      log: () => {},
    });
    profile = mkdtempSync(join(tmpdir(), 'berth-chromium-'));
    // A fresh profile directory per run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 1000 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const shot = (name: string) =>
    page.screenshot({ path: join(artifacts, `dashboard-${name}.png`), fullPage: true });
  const detailStatus = () => page.locator('#agent-facts .badge').first();
  const deploy = async (name: string) => {
    const form = page.locator('#deploy-form');
    await form.getByLabel('Name').fill(name);
    await form.getByRole('button', { name: 'Deploy' }).click();
  };
  const action = (name: string) => page.locator(`#agent-actions [data-action="${name}"]`);

  it("drives an agent's whole life: deploy, live status, pause with a reason, in-flight guard, typed-name destroy", async () => {
    await page.goto(platform.url);
    await expect.poll(() => page.locator('#connection').textContent()).toBe('Live');
    // Marks this page load: if anything reloaded the page, the mark would be gone.
    await page.evaluate(() => {
      (window as unknown as { berthMark: number }).berthMark = 42;
    });

    // A second agent first, so the list and its filter have something to filter.
    await deploy('report-builder');
    await expect.poll(() => page.locator('#agents .agent-row').count()).toBe(1);

    // Deploy: the agent appears at once, then reaches running without a reload.
    await deploy('support-bot');
    await expect.poll(() => page.locator('#agent-heading').textContent()).toBe('support-bot');
    await detailStatus().and(page.locator('.status-running')).waitFor();
    await page
      .locator('#agents .agent-row', { hasText: 'report-builder' })
      .locator('.status-running')
      .waitFor();
    expect(await page.evaluate(() => (window as unknown as { berthMark?: number }).berthMark)).toBe(42);
    const audit = await page.locator('#agent-audit').textContent();
    expect(audit).toContain('provisioned');
    expect(audit).toContain('op_succeeded');
    await expect.poll(() => page.locator('#agent-revisions tr').count()).toBe(1);
    // The statechart highlights where the agent is.
    await page.locator('#chart g.node.current[data-status="running"]').waitFor();
    // Disallowed actions are disabled and say why, in text and in the title.
    const start = action('start');
    expect(await start.isDisabled()).toBe(true);
    const startWhy = page.locator('#why-start');
    expect(await startWhy.textContent()).toMatch(/cannot start/);
    expect(await start.getAttribute('title')).toMatch(/cannot start/);
    expect(await start.getAttribute('aria-describedby')).toBe('why-start');

    // Pause needs a reason: the dialog asks for it and will not submit without one.
    await action('pause').click();
    const dialog = page.locator('#action-dialog');
    await dialog.waitFor({ state: 'visible' });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('dialog-reason');
    const submit = page.locator('#dialog-submit');
    expect(await submit.isDisabled()).toBe(true);
    await page.locator('#dialog-reason').fill('maintenance window');
    expect(await submit.isEnabled()).toBe(true);
    await submit.click();
    await dialog.waitFor({ state: 'hidden' });
    await detailStatus().and(page.locator('.status-paused')).waitFor();
    await page.locator('#agent-audit li', { hasText: 'maintenance window' }).waitFor();
    expect(await action('resume').isEnabled()).toBe(true);
    expect(await page.locator('#why-stop').textContent()).toMatch(/paused/);

    // The filter by status shows only the paused agent.
    await page.getByLabel('Status', { exact: true }).selectOption('paused');
    await expect
      .poll(() => page.locator('#agents .agent-row').allTextContents())
      .toEqual([expect.stringContaining('support-bot')]);
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await expect.poll(() => page.locator('#agents .agent-row').count()).toBe(2);

    await action('resume').click();
    await detailStatus().and(page.locator('.status-running')).waitFor();
    await shot('running');

    // An operation in flight: the restart hangs in the driver, so the agent stays restarting
    // and stop is refused ("already restarting") until the operation settles.
    driver.hangNext('restart');
    await action('restart').click();
    await detailStatus().and(page.locator('.status-restarting')).waitFor();
    expect(await page.locator('#agent-progress').isVisible()).toBe(true);
    expect(await page.locator('#agent-progress-text').textContent()).toMatch(/restart in progress/);
    expect(await action('stop').isDisabled()).toBe(true);
    expect(await page.locator('#why-stop').textContent()).toMatch(/already restarting/);
    await shot('operation-in-flight');

    // Destroy through the typed-name dialog. Escape first: nothing happens, focus comes back.
    const destroy = action('destroy');
    await destroy.click();
    await dialog.waitFor({ state: 'visible' });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('dialog-confirm');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-action'))).toBe('destroy');
    expect(await detailStatus().textContent()).toBe('restarting');

    await destroy.click();
    await dialog.waitFor({ state: 'visible' });
    await page.locator('#dialog-confirm').fill('support-b0t');
    expect(await submit.isDisabled()).toBe(true);
    await page.locator('#dialog-confirm').fill('support-bot');
    await page.locator('#dialog-reason').fill('replaced by v2');
    expect(await submit.isEnabled()).toBe(true);
    await shot('destroy-dialog');
    await submit.click();
    await detailStatus().and(page.locator('.status-deleted')).waitFor();
    await page.locator('#agent-audit li', { hasText: 'replaced by v2' }).waitFor();
    await page.locator('#chart g.node.current[data-status="deleted"]').waitFor();
    // Deleted is final: every action is disabled.
    const enabled = await page.locator('#agent-actions button:not([disabled])').count();
    expect(enabled).toBe(0);
    // The list followed along, and the page never reloaded.
    await page.locator('#agents .agent-row', { hasText: 'support-bot' }).locator('.status-deleted').waitFor();
    expect(await page.evaluate(() => (window as unknown as { berthMark?: number }).berthMark)).toBe(42);
    await shot('deleted');
    expect(pageErrors).toEqual([]);
  });

  it('mints a registration token and shows it once', async () => {
    await page.getByRole('button', { name: 'Mint token' }).click();
    const token = page.locator('#token-value');
    await token.waitFor({ state: 'visible' });
    expect(await token.inputValue()).toMatch(/\S{16,}/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('token-value');
  });

  it('is the README screenshot: a few agents, one selected and running', async () => {
    await deploy('ingest-worker');
    await detailStatus().and(page.locator('.status-running')).waitFor();
    await page.locator('#agents .agent-row', { hasText: 'report-builder' }).click();
    await expect.poll(() => page.locator('#agent-heading').textContent()).toBe('report-builder');
    await detailStatus().and(page.locator('.status-running')).waitFor();
    expect(await page.locator('#agents li.selected').textContent()).toContain('report-builder');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.mouse.move(1, 1);
    await page.locator('#token-out').evaluate((el) => {
      (el as HTMLElement).hidden = true;
    });
    const path = join(artifacts, 'dashboard-readme.png');
    await page.screenshot({ path, fullPage: false });
    if (process.env.BERTH_UPDATE_SCREENSHOT) copyFileSync(path, join(repoRoot, 'docs/img/dashboard.png'));
    expect(existsSync(path)).toBe(true);
  });
});
