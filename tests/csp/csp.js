// The strict-CSP page with the package as shipped (/pkg/): see record-formats.js.
import init, { VocaFuseSDK } from '/pkg/index.js';
import { exposeRecordFormats } from '/record-formats.js';

exposeRecordFormats(init, VocaFuseSDK);
