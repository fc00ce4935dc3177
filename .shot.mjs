import { chromium } from '@playwright/test';
const url = process.argv[2];
const out = process.argv[3];
const actions = process.argv[4] ?? '';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const p = await b.newPage({ viewport: { width: 1440, height: 900 } });
p.on('console', (m) => m.type() === 'error' && console.log('console:', m.text()));
p.on('pageerror', (e) => console.log('pageerror:', e.message));
await p.goto(url);
await p.waitForTimeout(2500);
if (actions) { await eval(`(async () => { ${actions} })()`); }
await p.screenshot({ path: out, fullPage: true });
console.log(p.url());
await b.close();
