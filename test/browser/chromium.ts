/**
 * Debian's Chromium (/usr/bin/chromium) driven by playwright-core: headless, no sandbox, nothing that
 * reaches the network by itself (the machine's network is closed). Playwright starts it with a fresh
 * --user-data-dir of its own (a new temp folder, removed on close); each user of a test gets a new
 * browser context in it (their own cookies). No vitest import: plain helpers.
 */
import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = (): boolean => fs.existsSync(CHROMIUM);

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** A new context (its own cookies and storage) and page, 1280 px wide. */
export async function newUser(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  return { context, page };
}
