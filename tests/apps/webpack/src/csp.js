// The strict-CSP page (tests/csp/record-formats.js) with the package as webpack bundles it.
import init, { VocaFuseSDK } from 'vocafuse-wasm';
import { exposeRecordFormats } from '../../../csp/record-formats.js';

exposeRecordFormats(init, VocaFuseSDK);
