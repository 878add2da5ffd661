// Checks the layout of every Rust source tree of the workspace: no import circle between modules,
// no non-test source file over 600 lines. Node 20, no dependencies.
//
// usage: node scripts/check-layout.mjs [--graph] [TREE...]   (default: every tree below; TREE as
// `devserver/src`). `--graph` also prints every folder's edges, `  in crate::x: a -> b, c`.
//
// The import graph comes from the code with comments, strings and `#[cfg(test)]` items (test
// modules, inline or in their own file) left out: `use crate::…`, `use super::…`, `use self::…`
// (brace groups expanded) and `crate::…`, `super::…`, `self::…` paths anywhere in the code. A
// path counts for the deepest module it names, following `pub use` re-exports. Nodes are
// sibling modules (files and folders): one graph for the crate's top modules and one for the
// children of every folder, each holding the edges between two different children of it (`a`
// using `b`, or anything inside `a` using anything inside `b`). A path to an item of the
// folder's own file (`lib.rs`, `mod.rs`) is no node's edge.
//
// Output: a line per tree, `TREE: F files, D folders: ok` or `TREE: F files, D folders`
// followed by its findings, indented:
//
//   circle in crate::web: recorder -> upload -> recorder
//     recorder -> upload  src/web/recorder.rs:12  crate::web::upload::Watch
//     upload -> recorder  src/web/upload.rs:40  super::recorder::Take
//   long file: src/web/recorder.rs: 975 lines (975 outside tests), over 600
//
// (a circle's first line is its shortest cycle through the module named first; below it, every
// edge among the modules of the circle with the first path that makes it), then as the last
// line `N passed, N failed`: one check per folder (no circle among its children) and one per
// non-test file (at most 600 lines). Exits 1 when a check failed, 2 on a usage error.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TREES = ['src', 'devserver/src', 'dsp/src', 'worklet/src', 'bench/decision-core/src'];
const MAX_LINES = 600;

/** Every `.rs` file under `dir`, as paths relative to it with `/` separators. */
function rustFiles(dir, prefix = '') {
  const out = [];
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(join(dir, rel)).isDirectory()) out.push(...rustFiles(dir, rel));
    else if (name.endsWith('.rs')) out.push(rel);
  }
  return out;
}

/** `a/b.rs` → ['a', 'b'], `a/mod.rs` → ['a'], `lib.rs` and `main.rs` → [] (the crate root). */
function modulePath(rel) {
  const parts = rel.replace(/\.rs$/, '').split('/');
  if (parts.length === 1 && (parts[0] === 'lib' || parts[0] === 'main')) return [];
  if (parts.at(-1) === 'mod') parts.pop();
  return parts;
}

/** The file holding the module `child` declared in the file `rel`. */
function childFile(rel, child, files) {
  const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
  const base = /(^|\/)(lib|main|mod)\.rs$/.test(rel) ? dir : rel.replace(/\.rs$/, '');
  const join2 = (p) => (base ? `${base}/${p}` : p);
  return [join2(`${child}.rs`), join2(`${child}/mod.rs`)].find((f) => files.has(f));
}

/** The source with comments, strings and char literals blanked (newlines kept, so offsets and
 * line numbers stay). */
function stripNoise(text) {
  const out = text.split('');
  const blank = (from, to) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < text.length && depth > 0) {
        const pair = text.slice(j, j + 2);
        depth += pair === '/*' ? 1 : pair === '*/' ? -1 : 0;
        j += pair === '/*' || pair === '*/' ? 2 : 1;
      }
      blank(i, j);
      i = j;
    } else if ((c === 'r' || (c === 'b' && next === 'r')) && !/\w/.test(text[i - 1] ?? '')) {
      const m = /^b?r(#*)"/.exec(text.slice(i, i + 260));
      if (!m) {
        i++;
        continue;
      }
      const close = `"${m[1]}`;
      const end = text.indexOf(close, i + m[0].length);
      const stop = end < 0 ? text.length : end + close.length;
      blank(i, stop);
      i = stop;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      blank(i, j + 1);
      i = j + 1;
    } else if (c === "'") {
      // A char literal ('a', '\n', '\u{1F600}'); otherwise a lifetime or a label.
      const m = /^'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|.)|[^\\'\n])'/.exec(text.slice(i, i + 16));
      if (m) blank(i, i + m[0].length);
      i += m ? m[0].length : 1;
    } else i++;
  }
  return out.join('');
}

/** The index just past the `}` that closes the `{` at `open`. */
function closeBrace(code, open) {
  let depth = 0;
  for (let j = open; j < code.length; j++) {
    if (code[j] === '{') depth++;
    else if (code[j] === '}' && --depth === 0) return j + 1;
  }
  return code.length;
}

/** Whether a `cfg(...)` predicate holds only under test (`test`, `all(test, …)`), not `not(test)`. */
function testOnly(predicate) {
  let p = predicate;
  let prev;
  do {
    prev = p;
    p = p.replace(/not\s*\([^()]*\)/g, '');
  } while (p !== prev);
  return /\btest\b/.test(p) && !/\bany\s*\(/.test(p);
}

/** Blanks every `#[cfg(test)]` item; returns the code, the modules declared `#[cfg(test)] mod x;`
 * and the number of lines the test items take. */
function dropTestItems(code) {
  const testModules = [];
  let testLines = 0;
  const chars = code.split('');
  const attr = /#\[\s*cfg\s*\(/g;
  let m;
  while ((m = attr.exec(code))) {
    let depth = 1;
    let j = m.index + m[0].length;
    for (; j < code.length && depth > 0; j++) depth += code[j] === '(' ? 1 : code[j] === ')' ? -1 : 0;
    if (!testOnly(code.slice(m.index + m[0].length, j - 1))) continue;
    // The item: skip further attributes, then up to its `;` or through its `{…}` block.
    let k = code.indexOf(']', j) + 1;
    for (let a; (a = /^\s*#\[/.exec(code.slice(k))); ) k = closeBracket(code, k + a[0].length - 1);
    const decl = /^\s*(?:pub(?:\s*\([^)]*\))?\s+)?mod\s+(\w+)\s*;/.exec(code.slice(k));
    if (decl) testModules.push(decl[1]);
    let end = k;
    while (end < code.length && code[end] !== ';' && code[end] !== '{') end++;
    end = code[end] === '{' ? closeBrace(code, end) : end + 1;
    for (let x = m.index; x < end; x++) if (chars[x] !== '\n') chars[x] = ' ';
    testLines += lineOf(code, end) - lineOf(code, m.index) + 1;
    attr.lastIndex = end;
  }
  return { code: chars.join(''), testModules, testLines };
}

function closeBracket(code, open) {
  let depth = 0;
  for (let j = open; j < code.length; j++) {
    if (code[j] === '[') depth++;
    else if (code[j] === ']' && --depth === 0) return j + 1;
  }
  return code.length;
}

/** A use tree (`a::{b, c::d as e, f::*}`) as its paths: [segments, name it is bound to]. */
function expandUseTree(tree) {
  const out = [];
  const walk = (prefix, text) => {
    text = text.trim();
    const brace = text.indexOf('{');
    if (brace < 0) {
      const [path, alias] = text.split(/\s+as\s+/);
      const segs = path.split('::').map((s) => s.trim()).filter(Boolean);
      const all = [...prefix, ...segs];
      if (all.at(-1) === 'self') all.pop();
      if (all.length) out.push([all, alias?.trim() ?? all.at(-1)]);
      return;
    }
    const head = text.slice(0, brace).split('::').map((s) => s.trim()).filter(Boolean);
    const inner = text.slice(brace + 1, text.lastIndexOf('}'));
    let depth = 0;
    let start = 0;
    for (let j = 0; j <= inner.length; j++) {
      const ch = inner[j];
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
      else if ((ch === ',' || j === inner.length) && depth === 0) {
        if (inner.slice(start, j).trim()) walk([...prefix, ...head], inner.slice(start, j));
        start = j + 1;
      }
    }
  };
  walk([], tree.replace(/^::/, ''));
  return out;
}

const lineOf = (text, offset) => text.slice(0, offset).split('\n').length;
const key = (path) => path.join('::');
const show = (path) => (path.length ? `crate::${key(path)}` : 'the crate root');

/** Checks one tree; returns { passed, failed, lines } (`lines`: what to print). */
function checkTree(tree) {
  const dir = resolve(ROOT, tree);
  const fileList = rustFiles(dir);
  const files = new Set(fileList);

  // Parse every file; test files (declared under cfg(test), and what they declare) are dropped.
  const parsed = new Map();
  const testFiles = new Set();
  for (const rel of fileList) {
    const text = readFileSync(join(dir, rel), 'utf8');
    const { code, testModules, testLines } = dropTestItems(stripNoise(text));
    parsed.set(rel, { text, code, testLines, module: modulePath(rel) });
    for (const t of testModules) {
      const f = childFile(rel, t, files);
      if (f) testFiles.add(f);
    }
  }
  for (const rel of fileList) {
    const parent = [...testFiles].find((t) => rel !== t && rel.startsWith(t.replace(/(\/mod)?\.rs$/, '/')));
    if (parent) testFiles.add(rel);
  }

  // Known modules: every non-test file's, and inline `mod x { … }` blocks (with their spans).
  const modules = new Set(['']);
  const sources = [];
  for (const [rel, p] of parsed) {
    if (testFiles.has(rel)) continue;
    modules.add(key(p.module));
    const inline = [];
    const re = /\bmod\s+(\w+)\s*\{/g;
    let m;
    while ((m = re.exec(p.code))) {
      const open = m.index + m[0].length - 1;
      inline.push({ name: m[1], start: open, end: closeBrace(p.code, open) });
    }
    const moduleAt = (offset) => [...p.module, ...inline.filter((s) => s.start < offset && offset < s.end).map((s) => s.name)];
    for (const s of inline) modules.add(key(moduleAt(s.start + 1)));
    sources.push({ rel, ...p, moduleAt });
  }

  // Every path, and the `pub use` re-exports (module → name → path).
  const resolveStart = (segs, base) => {
    if (segs[0] === 'crate') return segs.slice(1);
    if (segs[0] === 'self') return [...base, ...segs.slice(1)];
    if (segs[0] === 'super') {
      let up = 0;
      while (segs[up] === 'super') up++;
      return up > base.length ? null : [...base.slice(0, base.length - up), ...segs.slice(up)];
    }
    // A bare path names a child module, or another crate.
    return modules.has(key([...base, segs[0]])) ? [...base, ...segs] : null;
  };
  const reexports = new Map();
  const uses = [];
  for (const s of sources) {
    const useRe = /\b(pub(?:\s*\([^)]*\))?\s+)?use\s+([^;]+);/g;
    let m;
    while ((m = useRe.exec(s.code))) {
      const base = s.moduleAt(m.index);
      for (const [segs, name] of expandUseTree(m[2])) {
        const abs = resolveStart(segs, base);
        if (!abs) continue;
        uses.push({ s, base, abs, offset: m.index + Math.max(0, m[0].indexOf(segs.at(-1))), text: segs.join('::') });
        if (m[1] && segs.at(-1) !== '*') {
          if (!reexports.has(key(base))) reexports.set(key(base), new Map());
          reexports.get(key(base)).set(name, abs);
        }
      }
    }
    const codeOnly = s.code.replace(/\buse\s+[^;]+;/g, (u) => u.replace(/[^\n]/g, ' '));
    const pathRe = /(?<![\w:$])(crate|super|self)((?:\s*::\s*\w+)+)/g;
    while ((m = pathRe.exec(codeOnly))) {
      const segs = [m[1], ...m[2].split('::').map((x) => x.trim()).filter(Boolean)];
      const base = s.moduleAt(m.index);
      const abs = resolveStart(segs, base);
      if (abs) uses.push({ s, base, abs, offset: m.index, text: segs.join('::') });
    }
  }

  /** The deepest module a path names, through re-exports. */
  const target = (abs) => {
    let path = abs;
    for (let hops = 0; hops < 16; hops++) {
      let n = path.length;
      while (n > 0 && !modules.has(key(path.slice(0, n)))) n--;
      const via = reexports.get(key(path.slice(0, n)))?.get(path[n]);
      if (!via || key(via) === key(path.slice(0, n + 1))) return path.slice(0, n);
      path = [...via, ...path.slice(n + 1)];
    }
    return path;
  };

  // One graph per folder: edges between two different children.
  const folders = new Map();
  for (const mod of modules) {
    const path = mod ? mod.split('::') : [];
    if (path.length) {
      const parent = key(path.slice(0, -1));
      if (!folders.has(parent)) folders.set(parent, new Map());
      folders.get(parent).set(path.at(-1), new Map());
    }
  }
  for (const u of uses) {
    const to = target(u.abs);
    const from = u.base;
    for (let depth = 0; depth < Math.min(from.length, to.length); depth++) {
      if (from[depth] !== to[depth]) {
        const edges = folders.get(key(from.slice(0, depth))).get(from[depth]);
        if (!edges.has(to[depth])) edges.set(to[depth], `${tree}/${u.s.rel}:${lineOf(u.s.text, u.offset)}  ${u.text}`);
        break;
      }
    }
  }

  const findings = [];
  let passed = 0;
  const edgeLines = [];
  for (const [folder, graph] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
    for (const [from, edges] of [...graph].sort(([a], [b]) => a.localeCompare(b)))
      if (edges.size) edgeLines.push(`  in ${show(folder ? folder.split('::') : [])}: ${from} -> ${[...edges.keys()].sort().join(', ')}`);
    const circles = stronglyConnected(graph).filter((c) => c.length > 1);
    if (!circles.length) passed++;
    for (const members of circles) {
      const inCircle = new Set(members);
      const cycle = shortestCycle(graph, members[0], inCircle);
      findings.push(`circle in ${show(folder ? folder.split('::') : [])}: ${cycle.join(' -> ')}`);
      for (const from of members)
        for (const [to, where] of graph.get(from)) if (inCircle.has(to)) findings.push(`  ${from} -> ${to}  ${where}`);
    }
  }
  for (const s of sources) {
    const lines = s.text.split('\n').length - (s.text.endsWith('\n') ? 1 : 0);
    if (lines <= MAX_LINES) {
      passed++;
      continue;
    }
    findings.push(`long file: ${tree}/${s.rel}: ${lines} lines (${lines - s.testLines} outside tests), over ${MAX_LINES}`);
  }
  const failed = findings.filter((f) => !f.startsWith(' ')).length;
  const head = `${tree}: ${sources.length} files, ${folders.size} folders`;
  const lines = failed ? [head, ...findings.map((f) => `  ${f}`)] : [`${head}: ok`];
  return { passed, failed, lines: showGraph ? [...lines, ...edgeLines] : lines };
}

/** Tarjan's strongly connected components of `graph` (node → Map(node → evidence)). */
function stronglyConnected(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const out = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      out.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

/** The shortest cycle from `start` back to it, within `allowed`, as the nodes along it. */
function shortestCycle(graph, start, allowed) {
  const previous = new Map();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of [...graph.get(v).keys()].sort()) {
      if (!allowed.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let x = v; x !== start; x = previous.get(x)) path.splice(1, 0, x);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

const showGraph = process.argv.includes('--graph');
const asked = process.argv.slice(2).filter((a) => a !== '--graph').map((t) => t.replace(/\/+$/, '').split(sep).join('/'));
for (const t of asked) {
  if (!existsSync(resolve(ROOT, t))) {
    console.error(`check-layout: no such tree: ${t} (trees: ${TREES.join(', ')})`);
    process.exit(2);
  }
}
let passed = 0;
let failed = 0;
for (const tree of asked.length ? asked : TREES) {
  const result = checkTree(tree);
  passed += result.passed;
  failed += result.failed;
  for (const line of result.lines) console.log(line);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
