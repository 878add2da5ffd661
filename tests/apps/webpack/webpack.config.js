// webpack 5 with no loader and no plugin for the SDK: the wasm (new URL(..., import.meta.url) in
// the package) is emitted as an asset and found at run time. index.html and csp.html (the core API
// under a strict CSP) are written by a few lines below rather than html-webpack-plugin, to keep
// the app's dependencies to webpack itself.
const path = require('node:path');
const { readFileSync } = require('node:fs');

class IndexHtml {
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('IndexHtml', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'IndexHtml', stage: compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        for (const page of ['index.html', 'csp.html']) {
          const html = readFileSync(path.join(__dirname, 'src', page));
          compilation.emitAsset(page, new compiler.webpack.sources.RawSource(html));
        }
      });
    });
  }
}

module.exports = {
  mode: 'production',
  entry: { main: './src/index.js', csp: './src/csp.js' },
  output: { path: path.join(__dirname, 'dist'), filename: '[name].js', chunkFilename: '[name].[contenthash].js', clean: true },
  plugins: [new IndexHtml()],
  performance: { hints: false },
};
