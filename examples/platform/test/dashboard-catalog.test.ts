/**
 * The dashboard's catalogs in a real headless Chromium against the platform on an ephemeral
 * port: back up the selected agent, see the catalog fill in, destroy the agent and restore its
 * backup into a new one (its workspace comes back), delete a backup; services with their
 * effective status; registration tokens minted with a code, listed, and revoked.
 */
import { createMemoryDriver, type MemoryDriver } from '@berth/driver-memory';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Platform, startPlatform } from '../src/index.js';
import { type Browser, launchChromium, runChromiumTests } from './support/chromium.js';

describe.skipIf(!runChromiumTests)('dashboard catalogs (headless Chromium)', () => {
  let platform: Platform;
  let driver: MemoryDriver;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    driver = createMemoryDriver({ latency: 100 });
    platform = await startPlatform(loadConfig({ PORT: '0', BERTH_STORE: 'memory', HOST: '127.0.0.1' }), {
      driver,
      log: () => {},
    });
    browser = await launchChromium();
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
  });

  const running = async (name: string) => {
    const { id } = await platform.manager.create({ name });
    await platform.manager.waitFor(id, 'running', { timeout: 10_000 });
    return id;
  };

  it('backs up the selected agent, restores the backup into a new agent after a destroy, deletes it', async () => {
    const id = await running('keeper');
    driver.writeFile(id, 'diary.txt', 'day one');
    await page.goto(platform.url);
    await expect.poll(() => page.locator('#connection').textContent()).toBe('Live');
    await page.locator(`[data-agent-id="${id}"]`).click();
    await expect.poll(() => page.locator('#agent-heading').textContent()).toBe('keeper');

    await page.locator('#backup-form').getByLabel('Label').fill('first day');
    await page.locator('#backup-form').getByRole('button', { name: 'Back up' }).click();
    const row = page.locator('#backups .catalog-row', { hasText: 'first day' });
    await row.locator('.catalog-completed').waitFor();
    await page.locator('#agent-backups li', { hasText: 'first day' }).locator('.catalog-completed').waitFor();
    const [backup] = await platform.manager.listBackups({ owner: 'default' });
    expect(backup).toMatchObject({ label: 'first day', status: 'completed', agentId: id });

    await platform.manager.dispatch(id, 'destroy', { confirm: 'keeper' });
    await platform.manager.waitFor(id, 'deleted', { timeout: 10_000 });
    // The catalog keeps the backup of the destroyed agent.
    await row.waitFor();

    await row.getByRole('button', { name: 'Restore…' }).click();
    await row.getByLabel('New agent name').fill('keeper-2');
    await row.getByRole('button', { name: 'Restore into a new agent' }).click();
    await expect.poll(() => page.locator('#agent-heading').textContent()).toBe('keeper-2');
    await page.locator('#agent-facts .badge.status-running').first().waitFor();
    const restored = (await platform.manager.list()).find((a) => a.name === 'keeper-2')!;
    expect(driver.files(restored.id)).toEqual({ 'diary.txt': 'day one' });

    await row.getByRole('button', { name: /Delete backup/ }).click();
    await page.locator('#backups-empty').waitFor({ state: 'visible' });
    expect(await platform.manager.listBackups({ owner: 'default' })).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });

  it('a refused backup shows why; services show their effective status, stale once the agent is', async () => {
    const id = await running('busy');
    driver.hangNext('backup');
    await platform.manager.createBackup(id);
    await page.goto(platform.url);
    await page.locator(`[data-agent-id="${id}"]`).click();
    await expect.poll(() => page.locator('#agent-heading').textContent()).toBe('busy');
    await page.locator('#backup-form').getByRole('button', { name: 'Back up' }).click();
    await expect.poll(() => page.locator('#backup-error').textContent()).toContain('OPERATION_IN_PROGRESS');

    const { token } = await platform.manager.createRegistrationToken();
    const edge = await platform.manager.register({ registrationToken: token, code: 'edge-svc' });
    await platform.manager.reportServices(edge.agentId, [{ code: 'db', name: 'Database', status: 'up' }]);
    const service = page.locator('#services tr[data-service-code="db"]');
    await service.locator('.catalog-up').waitFor();
    expect(await service.textContent()).toContain('Database');
    await platform.manager.dispatch(edge.agentId, 'destroy', { confirm: 'edge-svc' });
    await service.locator('.catalog-stale').waitFor();
    expect(browser.pageErrors).toEqual([]);
  });

  it('mints a token bound to a code, lists it without the secret, revokes it', async () => {
    await page.goto(platform.url);
    await expect.poll(() => page.locator('#connection').textContent()).toBe('Live');
    const form = page.locator('#token-form');
    await form.getByLabel('Only for code').fill('edge-7');
    await form.getByRole('button', { name: 'Mint token' }).click();
    const secret = await page.locator('#token-value').inputValue();
    expect(secret.length).toBeGreaterThan(16);
    const [minted] = (await platform.manager.listRegistrationTokens()).filter((t) => t.code === 'edge-7');
    const row = page.locator(`#tokens [data-token-id="${minted!.id}"]`);
    await row.locator('.catalog-active').waitFor();
    expect(await row.textContent()).toContain('code edge-7');
    expect(await page.locator('#tokens').textContent()).not.toContain(secret);
    await row.getByRole('button', { name: `Revoke token ${minted!.id}` }).click();
    await row.locator('.catalog-revoked').waitFor();
    await expect(
      platform.manager.register({ registrationToken: secret, code: 'edge-7' }),
    ).rejects.toMatchObject({
      code: 'REGISTRATION_TOKEN_INVALID',
    });
    expect(browser.pageErrors).toEqual([]);
  });
});
