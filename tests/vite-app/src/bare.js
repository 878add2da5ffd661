// The same page without the SDK: the baseline for the size the SDK adds to a build.
import { ui, showState } from './ui.js';

window.__ready = performance.now();
ui.record.disabled = false;
showState('idle');
