/**
 * Headless Chromium for dashboard tests: Debian's `chromium` driven by playwright-core with the
 * flags that keep it off the network, on a fresh profile directory, and the gate (skip only when
 * the browser is missing and BERTH_REQUIRE_INFRA is unset).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Where the browser is. */
export const CHROMIUM_PATH = process.env.BERTH_CHROMIUM ?? '/usr/bin/chromium';
/** Run the dashboard tests: the browser is there, or CI demands it (and then a missing one fails). */
export const runChromiumTests = existsSync(CHROMIUM_PATH) || Boolean(process.env.BERTH_REQUIRE_INFRA);

/** A browser on a fresh profile, and its first page (page errors collected). */
export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly pageErrors: string[];
  close(): Promise<void>;
}

/** Launch headless Chromium (throws a clear error when it is missing). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `BERTH_REQUIRE_INFRA is set but ${CHROMIUM_PATH} is missing (scripts/ci/install-chromium.sh)`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'berth-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
    viewport: { width: 1400, height: 1200 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.setDefaultTimeout(15_000);
  return {
    context,
    page,
    pageErrors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
