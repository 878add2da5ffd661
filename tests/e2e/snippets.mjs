// The code blocks of a markdown file, as tests/e2e/readme.test.mjs runs them (Node built-ins only).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const RUNNABLE = new Set(['js', 'javascript', 'mjs', 'html', 'jsx', 'vue']);
/** A block that names its file on its first line: `// main.js` or `<!-- index.html -->`. */
const FILE_COMMENT = /^(?:\/\/\s*([\w.-]+\.(?:m?js|jsx))|<!--\s*([\w.-]+\.html)\s*-->)\s*$/;


/** The fenced blocks of a markdown file: `{ lang, info, code, line }` (line of the opening fence). */
export function fencedBlocks(markdown) {
  const blocks = [];
  let open = null;
  markdown.split('\n').forEach((text, i) => {
    if (open) {
      if (/^```\s*$/.test(text)) { blocks.push(open); open = null; } else open.code += `${text}\n`;
      return;
    }
    const m = text.match(/^```(\S*)\s*(.*)$/);
    if (m) open = { lang: m[1].toLowerCase(), info: m[2].trim(), code: '', line: i + 1 };
  });
  assert.equal(open, null, `a code block opened at line ${open?.line} is never closed`);
  return blocks;
}

/**
 * What the test does with each doc's blocks: `{ run: [snippet], skipped: [{ name, reason }],
 * ignored: [name] }`. A snippet is `{ name, kind: 'page' | 'react' | 'vue', files: { name: code } }`;
 * consecutive blocks that name their files (index.html then main.js) are one snippet.
 */
export function snippets(doc) {
  const out = { run: [], skipped: [], ignored: [] };
  let group = null;
  for (const block of fencedBlocks(readFileSync(doc.file, 'utf8'))) {
    const name = `${doc.name}:${block.line} (${block.lang || 'no language'})`;
    if (!RUNNABLE.has(block.lang)) { out.ignored.push(name); group = null; continue; }
    if (/^no-run\b/.test(block.info)) {
      const reason = block.info.replace(/^no-run:?\s*/, '');
      assert.ok(reason, `${name}: a no-run block says why (\`\`\`${block.lang} no-run: <why>)`);
      out.skipped.push({ name, reason });
      group = null;
      continue;
    }
    assert.equal(block.info, '', `${name}: unknown info string "${block.info}" (only "no-run: <why>")`);
    const named = block.code.split('\n')[0].match(FILE_COMMENT);
    const fileName = named ? (named[1] || named[2]) : null;
    const kind = block.lang === 'jsx' ? 'react' : block.lang === 'vue' ? 'vue' : 'page';
    if (fileName && group && !(fileName in group.files) && kind === 'page' && group.kind === 'page') {
      group.files[fileName] = block.code;
      group.name += ` + ${block.line}`;
      continue;
    }
    const file = fileName || { js: 'snippet.js', javascript: 'snippet.js', mjs: 'snippet.js', html: 'index.html', jsx: 'Snippet.jsx', vue: 'Snippet.vue' }[block.lang];
    const snippet = { name, kind, files: { [file]: block.code } };
    out.run.push(snippet);
    group = fileName ? snippet : null;
  }
  return out;
}

