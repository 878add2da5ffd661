// What a page downloads from the package to record and upload a voice note (tests/e2e/size.mjs):
// the main path (a WebM note: the entry JS and the main wasm) and the WAV add-on on its own, each
// summed at gzip -9 from the bytes headless Chromium fetched. Prints one line per figure and
// their BENCH lines; fails if no note was recorded and uploaded. Asserts no budget.
// Run: node scripts/size-main-path.mjs   (needs pkg/ built, the dev server built, setup.sh test run)
import { measureSizes, report } from '../tests/e2e/size.mjs';

for (const line of report(await measureSizes())) console.log(line);
