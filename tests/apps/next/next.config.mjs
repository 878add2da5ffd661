// Nothing SDK-specific: vocafuse-wasm/react works with Next's defaults. No network at build time
// (no next/font, no remote images); telemetry is off in the test (NEXT_TELEMETRY_DISABLED=1).
// NEXT_DIST_DIR: the test builds the app twice, with Turbopack (the default) and with --webpack.
export default {
  reactStrictMode: true,
  distDir: process.env.NEXT_DIST_DIR || '.next',
};
