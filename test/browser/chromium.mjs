// Debian's Chromium as the browser tests and the browser benchmark launch it.
export const CHROMIUM = process.env.VITALS_CHROMIUM ?? '/usr/bin/chromium';

/** The flags this machine needs: no GPU, no sandbox as root, and no calls home (the network is closed). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
