// Nothing SDK-specific: vocafuse-wasm/react works with Next's defaults. No network at build time
// (no next/font, no remote images); telemetry is off in the test (NEXT_TELEMETRY_DISABLED=1).
export default {
  reactStrictMode: true,
};
