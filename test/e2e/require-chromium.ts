import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The browser suite never skips silently: without Chromium it fails and says how to install it. */
export default function requireChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium was not found at ${CHROMIUM}. Install Debian's package: apt-get update && apt-get install -y chromium ` +
        '(or set CHROMIUM_PATH). `npx playwright install` cannot work here.',
    );
  }
}
