// Durability end to end (API.md "Durability"), in headless Chromium and Firefox ESR driven
// through W3C WebDriver (./webdriver.mjs), against the dev server: a reload in the middle of a
// recording, a reload and a browser kill in the middle of a multipart upload, 10 s offline
// during an upload (the dev server stopped; in Chromium also the browser's offline switch), two
// tabs with one pending recording (resumePending() in both; upload() of the same entry in both),
// a live recording hidden from another tab with destroy()/cancel(), and the time from a reload
// to the resumed upload (BENCH lines, not asserted).
//
// DURABILITY_BROWSERS=chromium,firefox (the default) picks the browsers. Every test gets its own
// browser (a fresh profile, so a fresh IndexedDB) unless it needs a persistent one; the dev
// server is one per browser, restarted on the same ports when a test takes it down.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import {
  WAIT, UUID, DevServer, openBrowser, killBrowser, waitFor, sleep, tempDir,
  storagePuts, uploadPosts, formatLog,
} from './helpers.mjs';

const BROWSERS = (process.env.DURABILITY_BROWSERS || 'chromium,firefox').split(',').map((b) => b.trim()).filter(Boolean);
// Four 5 MiB parts (the last one small), sent three at a time.
const MULTIPART_SIZE = 16_000_000;
const PART_SIZE = 5_242_880;
const SLOW = { timeout: 240_000 };

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

/** Navigates to the harness page (same origin as the API) and waits for `window.H`. */
async function openPage(session, server, query = '') {
  await session.navigate(`${server.api}/index.html${query}`);
  await pageReady(session);
}

async function pageReady(session) {
  await waitFor(() => session.execute('return !!(window.H && window.H.ready)'), {
    what: 'the harness page (window.H) to load',
    diag: async () => `url: ${await session.currentUrl().catch(() => '?')}`,
  });
}

/** Creates the SDK in the page; fails clearly when the package lacks the durability API. */
async function initSdk(session, config = {}) {
  const api = await session.run((cfg) => H.init(cfg), config);
  assert.ok(api.hasPendingRecordings && api.hasResumePending,
    `the package in pkg/ has no sdk.pendingRecordings/resumePending (durability not built in): ${JSON.stringify(api)}`);
  return api;
}

/** Waits until the page job `name` settled and resolves with it ({ ok, value | error }). */
function jobDone(session, name, { timeout = 2 * WAIT, diag } = {}) {
  return waitFor(async () => {
    const job = await session.execute('return window.H ? H.job(arguments[0]) : null', [name]);
    return job && job.done ? job : null;
  }, { what: `the page job "${name}" to finish`, timeout, diag });
}

/** Page state for failure messages (the page may be gone). */
async function pageState(session) {
  try {
    const state = await session.execute(`return window.H ? JSON.stringify({ rec: H.recState(), jobs: H.jobs,
      pageErrors: H.pageErrors, netEvents: H.netEvents }) : 'no window.H'`);
    return `page: ${state}`;
  } catch (err) {
    return `page unavailable: ${err.message}`;
  }
}

/** Everything useful when an assertion fails: the page and the server's log. */
async function report(session, server) {
  return `${await pageState(session)}\n${await server.describeLog()}`;
}

/** A stored record with status "uploaded" (polls: the record is written when the last byte lands). */
function uploadedRecord(server, id, diag) {
  return waitFor(async () => {
    const rec = await server.record(id);
    return rec && rec.status === 'uploaded' ? rec : null;
  }, { what: `voice note ${id} to be stored as uploaded`, diag });
}

/**
 * Starts the seeded recording's multipart upload (four parts, three at a time) with the storage
 * script pass, stall, stall, stall and resolves once a part is confirmed by storage (200 in the
 * log) and the SDK has noted it, judged by public signals only: the SDK sends the fourth part
 * only after it has written down a part storage accepted, so the fourth part's PUT in the server
 * log is that sign; `pendingRecordings()` then answers after every storage write the page queued
 * before it. (A part acknowledged by storage but killed before the page noted it must be re-sent,
 * which is not what these tests are about.) Resolves with `{ part, voicenoteId }`.
 */
async function uploadUntilOnePartIsDone(session, server, seeded) {
  await server.faults('storage', [{ kind: 'pass' }, { kind: 'stall' }, { kind: 'stall' }, { kind: 'stall' }]);
  await session.run((id) => H.uploadPending(id, 'upload'), seeded.id);
  const diag = () => report(session, server);
  const done = await server.waitForLog((log) => storagePuts(log).find((e) => e.status === 200), {
    what: 'one storage PUT with status 200', diag,
  });
  assert.ok(done.part_number != null, `the upload was not multipart:\n${formatLog(await server.log())}`);
  await server.waitForLog((log) => storagePuts(log).find((e) => e.part_number === 4), {
    what: 'the fourth part\'s PUT, sent once a finished part was noted', diag,
  });
  await session.run(() => H.pending());
  return { part: done.part_number, voicenoteId: done.voicenote_id };
}

/** After a reload/kill: the one pending entry is the seeded one, in state 'uploading'. */
async function expectOneUploading(session, server, seeded) {
  const pending = await session.run(() => H.pending());
  assert.equal(pending.length, 1, `pendingRecordings() after the interruption: ${JSON.stringify(pending)}\n${await report(session, server)}`);
  assert.equal(pending[0].id, seeded.id, 'the pending entry is the seeded recording');
  assert.equal(pending[0].state, 'uploading', `an interrupted upload is listed as uploading: ${JSON.stringify(pending[0])}`);
  assert.equal(pending[0].size, MULTIPART_SIZE);
  return pending[0];
}

/**
 * Resumes the upload of `seeded` and checks the result: multipart, byte-identical, the part
 * done before the interruption (`before.part`) stored once and never PUT after `since`.
 */
async function resumeAndCheck(session, server, seeded, before, since) {
  await session.run((id) => H.uploadPending(id, 'resumed'), seeded.id);
  const job = await jobDone(session, 'resumed', { diag: () => report(session, server) });
  assert.ok(job.ok, `the resumed upload failed: ${JSON.stringify(job.error)}\n${await report(session, server)}`);
  const result = job.value;
  assert.match(result.voicenote_id, UUID);
  assert.equal(result.upload_type, 'multipart');
  assert.equal(result.file_size, MULTIPART_SIZE);

  const rec = await uploadedRecord(server, result.voicenote_id, () => report(session, server));
  const log = await server.log();
  const why = `\n${formatLog(log)}\nrecord parts: ${JSON.stringify(rec.parts)}`;
  if (rec.sha256 !== seeded.sha256) {
    assert.fail(`the stored file differs from the seeded bytes (stored ${rec.sha256}, seeded ${seeded.sha256})${why}`);
  }
  assert.equal(rec.file_size, MULTIPART_SIZE);
  assert.equal(result.voicenote_id, before.voicenoteId,
    `the resumed upload re-used the stored presign (same voice note) rather than starting over${why}`);
  const part = rec.parts.find((p) => p.part_number === before.part);
  assert.equal(part?.put_count, 1, `part ${before.part}, done before the interruption, was sent again${why}`);
  const again = storagePuts(log).filter((e) => e.part_number === before.part && e.at_ms >= since);
  assert.equal(again.length, 0, `PUTs of part ${before.part} after the interruption${why}`);
  assert.equal(uploadPosts(log).filter((e) => e.at_ms >= since).length, 0,
    `the presign is still valid, yet the resumed upload asked for a new one${why}`);
  for (const p of rec.parts) assert.equal(p.received, true, `part ${p.part_number} missing${why}`);

  const pending = await session.run(() => H.pending());
  assert.deepEqual(pending, [], 'a confirmed upload is no longer pending');
  await expectAudioGone(session, seeded.id);
  await expectNoPageErrors(session);
  return result;
}

/** No uncaught error or unhandled rejection in the current page (since it loaded). */
async function expectNoPageErrors(session, where = '') {
  const errors = await session.execute('return window.H ? H.pageErrors : ["no window.H"]');
  assert.deepEqual(errors, [], `page errors${where ? ` (${where})` : ''}: ${errors.join('\n')}`);
}

/** A confirmed recording's audio is deleted from IndexedDB (its chunks; a metadata row may stay a while). */
async function expectAudioGone(session, id) {
  const rows = await session.run((rid) => H.readDb({ hash: false }).then((all) => all.filter((r) => r.id === rid)), id);
  assert.ok(rows.every((r) => r.chunks === 0), `the confirmed recording's chunks are still stored: ${JSON.stringify(rows)}`);
  const counts = await session.run(() => H.dbCounts());
  assert.equal(counts.orphanChunks, 0, `chunks without a recording row: ${JSON.stringify(counts)}`);
}

/** Queued scripted faults for `route` (to say whether stalls were left unused). */
async function queuedFaults(server, route) {
  const f = await server.dev('GET', '/__dev/faults');
  return (f.scripts?.[route] || []).length;
}

for (const browser of BROWSERS) {
  describe(`durability in ${browser}`, () => {
    const server = new DevServer();
    const opened = new Set();
    /** A line of context in the TAP output (node prints it as a # comment). */
    const note = (text) => console.log(`${browser}: ${text}`);
    const temps = new Set();

    /** A browser closed after the test, whatever happens. */
    async function launch(options) {
      const br = await openBrowser(browser, options);
      opened.add(br);
      return br;
    }
    async function closeAll() {
      for (const br of opened) await br.close().catch(() => {});
      opened.clear();
      for (const dir of temps) await rm(dir, { recursive: true, force: true }).catch(() => {});
      temps.clear();
    }

    before(async () => { await server.start(); });
    after(async () => { await closeAll(); await server.stop(); });
    beforeEach(async () => {
      await closeAll();
      if (!server.running) await server.start();
      await server.dev('POST', '/__dev/reset');
    });

    it('harness: seeded IndexedDB survives a reload, a second tab, a killed browser and a dev server restart', SLOW, async () => {
      const profileDir = await tempDir(`vocafuse-profile-${browser}-`);
      temps.add(profileDir);
      let br = await launch({ profileDir });
      await openPage(br.session, server);
      const seeded = await br.session.run(() => H.seed({ size: 600_000, chunks: 3 }));
      const same = (rows) => rows.length === 1 && rows[0].id === seeded.id && rows[0].sha256 === seeded.sha256
        && rows[0].bytes === seeded.size && rows[0].seqs.join() === '0,1,2';

      await br.session.refresh();
      await pageReady(br.session);
      assert.ok(same(await br.session.run(() => H.readDb())), 'after a reload');

      const tab = await br.session.newWindow();
      await br.session.switchTo(tab);
      await openPage(br.session, server);
      assert.ok(same(await br.session.run(() => H.readDb())), 'in a second tab');

      const killed = await killBrowser(profileDir);
      assert.ok(killed.length > 0);
      await br.close();
      br = await launch({ profileDir });
      await openPage(br.session, server);
      assert.ok(same(await br.session.run(() => H.readDb())), 'after a kill and a relaunch on the same profile');

      const { port, storagePort } = server;
      await server.restart();
      assert.deepEqual([server.port, server.storagePort], [port, storagePort], 'restarted on the same ports');
      await br.session.refresh();
      await pageReady(br.session);
      assert.ok(same(await br.session.run(() => H.readDb())), 'after a dev server restart (same origin)');
      const token = await fetch(server.tokenEndpoint, { method: 'POST' });
      assert.equal(token.status, 200, 'the restarted dev server answers');
    });

    it('1. reload mid-recording: the interrupted recording is pending, plays, and uploads byte-identical', SLOW, async () => {
      const { session } = await launch();
      await openPage(session, server);
      await initSdk(session);
      await session.run(() => H.record({ autoUpload: false }));
      await sleep(3_000); // the recording itself
      const live = await session.execute('return H.recState()');
      assert.equal(live.state, 'recording', `still recording before the reload: ${JSON.stringify(live)}`);
      const recorded = live.events.progress;
      assert.ok(recorded >= 2.5, `onRecordProgress reported ${recorded} s after 3 s`);

      await session.refresh();
      await pageReady(session);
      await initSdk(session);
      const pending = await session.run(() => H.pending());
      assert.equal(pending.length, 1, `one pending recording after the reload: ${JSON.stringify(pending)}`);
      const [entry] = pending;
      assert.equal(entry.state, 'recorded');
      assert.ok(['webm', 'ogg'].includes(entry.format), `format ${entry.format}`);
      assert.ok(entry.duration >= recorded - 1.0 && entry.duration <= recorded + 0.5,
        `pending duration ${entry.duration} s, recorded ${recorded} s before the reload (at most ~1 s may be lost)`);
      assert.ok(entry.size > 0);

      const blob = await session.run((id) => H.pendingBlob(id), entry.id);
      assert.equal(blob.size, entry.size, 'blob().size === entry.size');
      assert.ok(blob.audio.duration !== null, `the blob does not load in <audio>: ${blob.audio.error}`);
      const audioDuration = Number(blob.audio.duration);
      assert.ok(Number.isFinite(audioDuration), `<audio> reads duration ${blob.audio.duration} (WebM duration not patched?)`);
      assert.ok(Math.abs(audioDuration - entry.duration) <= 1.0,
        `<audio> duration ${audioDuration} s vs the entry's ${entry.duration} s`);

      await session.run((id) => H.uploadPending(id, 'upload'), entry.id);
      const job = await jobDone(session, 'upload', { diag: () => report(session, server) });
      assert.ok(job.ok, `upload() failed: ${JSON.stringify(job.error)}\n${await report(session, server)}`);
      assert.match(job.value.voicenote_id, UUID);
      assert.equal(job.value.file_size, entry.size);
      const rec = await uploadedRecord(server, job.value.voicenote_id, () => report(session, server));
      assert.equal(rec.sha256, blob.sha256, `the stored note equals the pending blob\n${await server.describeLog()}`);
      assert.deepEqual(await session.run(() => H.pending()), [], 'nothing pending after the confirmed upload');
      await expectNoPageErrors(session);
      await expectAudioGone(session, entry.id);
      note(`recorded ${recorded.toFixed(2)} s before the reload; pending ${entry.format} ${entry.duration} s, ${entry.size} B; <audio> ${audioDuration.toFixed(2)} s`);
    });

    it('2. reload mid-multipart upload: only the missing parts are sent, the stored file is byte-identical', SLOW, async () => {
      const { session } = await launch();
      await openPage(session, server);
      const seeded = await session.run((size) => H.seed({ size, chunks: 3 }), MULTIPART_SIZE);
      await initSdk(session);
      const pending = await session.run(() => H.pending());
      assert.deepEqual(pending.map((p) => [p.id, p.state, p.size, p.format]), [[seeded.id, 'recorded', MULTIPART_SIZE, 'webm']],
        'the seeded recording is pending');

      const before = await uploadUntilOnePartIsDone(session, server, seeded);
      const since = Date.now();
      await session.refresh();
      await pageReady(session);
      // The stalls are used up only when the parts run in parallel; clear what is left.
      const left = await queuedFaults(server, 'storage');
      if (left > 0) await server.dev('DELETE', '/__dev/faults');
      await initSdk(session);
      await expectOneUploading(session, server, seeded);
      await resumeAndCheck(session, server, seeded, before, since);
      note(`part ${before.part} done before the reload; ${left} stall(s) left unused`);
    });

    it('3. kill the browser during an upload, relaunch on the same profile, and finish', SLOW, async () => {
      const profileDir = await tempDir(`vocafuse-profile-${browser}-`);
      temps.add(profileDir);
      let br = await launch({ profileDir });
      await openPage(br.session, server);
      const seeded = await br.session.run((size) => H.seed({ size, chunks: 3 }), MULTIPART_SIZE);
      await initSdk(br.session);
      const before = await uploadUntilOnePartIsDone(br.session, server, seeded);

      const since = Date.now();
      const killed = await killBrowser(profileDir);
      await br.close(); // the session cannot answer any more; this stops the driver
      opened.delete(br);
      await server.waitForLog((log) => storagePuts(log).every((e) => !e.in_flight), {
        what: 'the killed browser\'s requests to close', diag: () => server.describeLog(),
      });
      const left = await queuedFaults(server, 'storage');
      if (left > 0) await server.dev('DELETE', '/__dev/faults');

      br = await launch({ profileDir });
      await openPage(br.session, server);
      await initSdk(br.session);
      await expectOneUploading(br.session, server, seeded);
      await resumeAndCheck(br.session, server, seeded, before, since);
      note(`killed ${killed.length} processes; part ${before.part} done before; ${left} stall(s) left unused`);
    });

    it('4. dev server down for 10 s during an upload: the recorder waits, then finishes by itself', SLOW, async () => {
      const { session } = await launch();
      await openPage(session, server);
      await initSdk(session);
      await session.run(() => H.record({ autoUpload: true }));
      await sleep(2_000); // the recording itself
      // The first PUT stalls, so the upload is certainly in flight when the server goes.
      await server.faults('storage', [{ kind: 'stall' }]);
      await session.run(() => H.start('stop', H.rec.stop()));
      await server.waitForLog((log) => storagePuts(log).some((e) => e.in_flight), {
        what: 'the storage PUT to be in flight', diag: () => report(session, server),
      });
      const logBefore = await server.describeLog();
      await server.kill('SIGKILL');
      const downAt = Date.now();
      const waiting = await waitFor(() => session.execute('return H.rec.state === "waiting"'), {
        what: 'the recorder state "waiting" while the server is down', timeout: 10_000,
      }).catch((err) => err);
      await sleep(Math.max(0, downAt + 10_000 - Date.now())); // 10 s offline: the thing itself
      const downState = await session.execute('return H.recState()');
      await server.start();
      const upAt = Date.now();

      const job = await jobDone(session, 'stop', {
        timeout: WAIT + 20_000,
        diag: async () => `before the stop:\n${logBefore}\n${await report(session, server)}`,
      });
      const events = await session.execute('return H.events');
      assert.ok(job.ok, `stop() rejected: ${JSON.stringify(job.error)}\nstates ${events.states}\n${await report(session, server)}`);
      assert.match(job.value.voicenote_id, UUID);
      assert.ok(!(waiting instanceof Error), `the state was never "waiting" while the server was down: ${JSON.stringify(downState)}`);
      const s = events.states;
      const w = s.lastIndexOf('waiting');
      const u = s.indexOf('uploading', w);
      assert.ok(w >= 0 && u > w && s.indexOf('uploaded', u) > u, `states: ${s.join(' → ')} (want … waiting → uploading → uploaded)`);
      assert.ok(!s.includes('error'), `states: ${s.join(' → ')}`);
      const recording = await session.run(() => H.recording());
      const rec = await uploadedRecord(server, job.value.voicenote_id, () => report(session, server));
      assert.ok(recording, 'rec.recording is kept after the upload');
      assert.equal(rec.sha256, recording.sha256, 'the stored note equals the recording');
      assert.deepEqual(await session.run(() => H.pending()), [], 'nothing pending after the confirmed upload');
      await expectNoPageErrors(session);
      note(`server down: states ${s.join(' → ')}; done ${job.endedAt - upAt} ms after the restart; `
        + `after the restart: ${uploadPosts(await server.log()).map((e) => `POST /upload ${e.status}`).join(", ")}`);
    });

    // The browser's own offline switch: chromedriver's network emulation (a Chromium extension
    // command). Firefox has no such WebDriver command (geckodriver implements no network
    // conditions), so this variant is not run there, and not declared there either.
    if (browser === 'chromium') {
      it('4b. browser offline switch for 10 s during an upload: navigator.onLine, the online event, and the upload finishes', SLOW, async () => {
        const { session } = await launch();
        await openPage(session, server);
        // Emulated offline does not fail a request already in flight; a short per-request
        // timeout ends the stalled PUT while the browser is offline, so the retry meets it.
        await initSdk(session, { timeout: 4_000 });
        await session.run(() => H.record({ autoUpload: true }));
        await sleep(2_000); // the recording itself
        await server.faults('storage', [{ kind: 'stall' }]);
        await session.run(() => H.start('stop', H.rec.stop()));
        await server.waitForLog((log) => storagePuts(log).some((e) => e.in_flight), {
          what: 'the storage PUT to be in flight', diag: () => report(session, server),
        });
        await session.setNetworkConditions({ offline: true, latency: 0, download_throughput: 0, upload_throughput: 0 });
        const offlineAt = Date.now();
        assert.equal(await session.execute('return navigator.onLine'), false, 'navigator.onLine under emulated offline');
        const waiting = await waitFor(() => session.execute('return H.rec.state === "waiting"'), {
          what: 'the recorder state "waiting" while offline', timeout: 9_000,
        }).catch((err) => err);
        await sleep(Math.max(0, offlineAt + 10_000 - Date.now())); // 10 s offline: the thing itself
        const offState = await session.execute('return H.recState()');
        const onlineAt = Date.now();
        await session.deleteNetworkConditions();

        const job = await jobDone(session, 'stop', { diag: () => report(session, server) });
        const page = await session.execute('return { events: H.events, net: H.netEvents, onLine: navigator.onLine }');
        assert.ok(job.ok, `stop() rejected: ${JSON.stringify(job.error)}\n${await report(session, server)}`);
        assert.equal(page.onLine, true);
        assert.ok(page.net.some((e) => e.type === 'online' && e.at >= onlineAt), `no online event: ${JSON.stringify(page.net)}`);
        assert.ok(!(waiting instanceof Error), `the state was never "waiting" while offline: ${JSON.stringify(offState)}`);
        const s = page.events.states;
        const w = s.lastIndexOf('waiting');
        const u = s.indexOf('uploading', w);
        assert.ok(w >= 0 && u > w && s.indexOf('uploaded', u) > u, `states: ${s.join(' → ')}`);
        const recording = await session.run(() => H.recording());
        const rec = await uploadedRecord(server, job.value.voicenote_id, () => report(session, server));
        assert.equal(rec.sha256, recording?.sha256, 'the stored note equals the recording');
        // The online event, not a probe long after it, resumed the upload.
        await expectNoPageErrors(session);
        const put = storagePuts(await server.log()).find((e) => e.status === 200);
        note(`offline switch: states ${s.join(' → ')}; the upload resumed ${Math.round(put.at_ms - onlineAt)} ms after going online`);
      });
    }

    it('5. two tabs, one pending recording: exactly one upload', SLOW, async () => {
      const { session } = await launch();
      await openPage(session, server);
      await initSdk(session);
      const tabA = await session.windowHandle();
      await session.run(() => H.record({ autoUpload: false }));
      await sleep(1_000); // the recording itself
      await session.run(() => H.start('stop', H.rec.stop()));
      const stopped = await jobDone(session, 'stop');
      assert.ok(stopped.ok, `stop(): ${JSON.stringify(stopped.error)}`);
      await session.refresh(); // the recorder is gone: the recording is pending and nobody's
      await pageReady(session);
      await initSdk(session);
      const tabB = await session.newWindow();
      await session.switchTo(tabB);
      await openPage(session, server);
      await initSdk(session);
      const seenB = await session.run(() => H.pending());
      assert.equal(seenB.length, 1, `tab B sees the pending recording: ${JSON.stringify(seenB)}`);
      await server.dev('DELETE', '/__dev/log');

      await session.switchTo(tabA);
      await session.execute('H.resumePending("resume")');
      await session.switchTo(tabB);
      await session.execute('H.resumePending("resume")');

      const outcomes = {};
      for (const [name, handle] of [['B', tabB], ['A', tabA]]) {
        await session.switchTo(handle);
        outcomes[name] = await jobDone(session, 'resume', { diag: () => report(session, server) });
      }
      const log = await server.log();
      const why = `\noutcomes: ${JSON.stringify(outcomes)}\n${formatLog(log)}`;
      for (const [name, job] of Object.entries(outcomes)) {
        assert.ok(job.ok, `tab ${name}: resumePending() rejected${why}`);
        assert.ok(Array.isArray(job.value), `tab ${name}: resumePending() resolves with an array${why}`);
        for (const r of job.value) assert.ok(!r.error, `tab ${name}: an entry failed${why}`);
      }
      const ids = new Set([...outcomes.A.value, ...outcomes.B.value].map((r) => r.voicenote_id));
      assert.equal(ids.size, 1, `every UploadResult names the same voice note${why}`);
      assert.match([...ids][0], UUID);
      assert.equal(uploadPosts(log).filter((e) => e.status === 201).length, 1, `exactly one POST /upload${why}`);
      assert.equal(uploadPosts(log).length, 1, `no other POST /upload either${why}`);
      assert.equal(storagePuts(log).filter((e) => e.status === 200).length, 1, `exactly one storage PUT${why}`);
      await uploadedRecord(server, [...ids][0]);
      for (const handle of [tabA, tabB]) {
        await session.switchTo(handle);
        assert.deepEqual(await session.run(() => H.pending()), [], 'nothing pending in either tab');
        await expectNoPageErrors(session, handle);
      }
      note(`two tabs: A resolved ${outcomes.A.value.length} result(s), B ${outcomes.B.value.length}`);
    });

    it('5b. two tabs call upload() on the same entry: one upload, both resolve with the same voice note', SLOW, async () => {
      const { session } = await launch();
      await openPage(session, server);
      await initSdk(session);
      const tabA = await session.windowHandle();
      await session.run(() => H.record({ autoUpload: false }));
      await sleep(1_000); // the recording itself
      await session.run(() => H.start('stop', H.rec.stop()));
      assert.ok((await jobDone(session, 'stop')).ok);
      await session.refresh();
      await pageReady(session);
      await initSdk(session);
      const idsA = await session.run(() => H.grab());
      const tabB = await session.newWindow();
      await session.switchTo(tabB);
      await openPage(session, server);
      await initSdk(session);
      const idsB = await session.run(() => H.grab());
      assert.equal(idsA.length, 1, `tab A lists the pending recording: ${JSON.stringify(idsA)}`);
      assert.deepEqual(idsB, idsA, 'both tabs list the same pending recording');
      await server.dev('DELETE', '/__dev/log');
      // A slow PUT keeps tab A's upload (and its lock) going while tab B's upload() starts.
      await server.faults('storage', [{ kind: 'pass', delay_ms: 2_000 }]);

      await session.switchTo(tabA);
      await session.execute('H.uploadGrabbed(arguments[0], "up")', [idsA[0]]);
      await server.waitForLog((log) => uploadPosts(log).length > 0, { what: 'tab A\'s POST /upload', diag: () => report(session, server) });
      await session.switchTo(tabB);
      await session.execute('H.uploadGrabbed(arguments[0], "up")', [idsA[0]]);
      const outcomes = {};
      for (const [name, handle] of [['B', tabB], ['A', tabA]]) {
        await session.switchTo(handle);
        outcomes[name] = await jobDone(session, 'up', { diag: () => report(session, server) });
      }
      const log = await server.log();
      const why = `\noutcomes: ${JSON.stringify(outcomes)}\n${formatLog(log)}`;
      assert.ok(outcomes.A.ok && outcomes.B.ok, `both upload() calls resolve${why}`);
      assert.match(outcomes.A.value.voicenote_id, UUID);
      assert.equal(outcomes.B.value.voicenote_id, outcomes.A.value.voicenote_id, `the waiting tab resolves with the same voice note${why}`);
      assert.equal(uploadPosts(log).length, 1, `exactly one POST /upload${why}`);
      assert.equal(storagePuts(log).length, 1, `exactly one storage PUT${why}`);
      for (const handle of [tabA, tabB]) {
        await session.switchTo(handle);
        assert.deepEqual(await session.run(() => H.pending()), [], 'nothing pending in either tab');
        await expectNoPageErrors(session, handle);
      }
    });

    it('7. a live recorder\'s recording is not another tab\'s; destroy() keeps it pending, cancel() discards it', SLOW, async () => {
      const { session } = await launch();
      await openPage(session, server);
      await initSdk(session);
      const tabA = await session.windowHandle();
      await session.run(() => H.record({ autoUpload: false }));
      // A second window, not a tab: switching tabs hides the other one, and hiding stops a recording.
      const tabB = await session.newWindow('window');
      await session.switchTo(tabB);
      await openPage(session, server);
      await initSdk(session);
      await sleep(1_000); // the recording itself
      const stored = await waitFor(async () => {
        const rows = await session.run(() => H.readDb({ hash: false }));
        return rows.length === 1 && rows[0].chunks >= 2 ? rows : null;
      }, { what: 'the live recording\'s chunks in IndexedDB (written as they arrive)', diag: async () => JSON.stringify(await session.run(() => H.readDb({ hash: false }))) });
      assert.deepEqual(await session.run(() => H.pending()), [], `another tab does not list a live recording: ${JSON.stringify(stored)}`);

      await session.switchTo(tabA);
      assert.equal((await session.execute('return H.recState()')).state, 'recording', 'tab A is still recording');
      await session.execute('H.rec.destroy()');
      await session.switchTo(tabB);
      const kept = await waitFor(async () => {
        const p = await session.run(() => H.pending());
        return p.length === 1 ? p : null;
      }, { what: 'the destroyed recorder\'s recording to be pending in the other window' });
      assert.equal(kept[0].id, stored[0].id);
      assert.equal(kept[0].state, 'recorded');

      await session.switchTo(tabA);
      await session.run(() => H.record({ autoUpload: false }));
      await sleep(1_000); // the recording itself
      await session.run(() => H.rec.cancel());
      await session.switchTo(tabB);
      await waitFor(async () => {
        const c = await session.run(() => H.dbCounts());
        return c.recordings === 1 && c.orphanChunks === 0 ? c : null;
      }, { what: 'the cancelled recording to be gone from IndexedDB', diag: async () => JSON.stringify(await session.run(() => H.readDb({ hash: false }))) });
      assert.deepEqual((await session.run(() => H.pending())).map((p) => p.id), [kept[0].id], 'only the destroyed recording is pending');

      await session.run((id) => H.discardPending(id), kept[0].id);
      assert.deepEqual(await session.run(() => H.pending()), []);
      assert.deepEqual(await session.run(() => H.dbCounts()), { recordings: 0, chunks: 0, orphanChunks: 0 }, 'discard() removes the recording');
      await session.switchTo(tabA);
      assert.deepEqual(await session.run(() => H.pending()), []);
      assert.equal((await server.log()).filter((e) => e.route === 'upload' || e.route === 'storage').length, 0, 'nothing was uploaded');
      await expectNoPageErrors(session, 'tab A');
    });

    it('6. bench: reload to resumed upload with resumeOnInit (BENCH, median of 5)', SLOW, async () => {
      const { session } = await launch();
      await openPage(session, server, '?autoinit=1&resumeOnInit=1');
      const first = await jobDone(session, 'autoinit');
      assert.ok(first.ok, `init with resumeOnInit: ${JSON.stringify(first.error)}`);
      assert.ok(first.value.hasPendingRecordings, 'the package has the durability API');
      const toPost = [];
      const toUploaded = [];
      for (let run = 0; run < 5; run += 1) {
        await session.run(() => H.record({ autoUpload: false }));
        await sleep(2_000); // the recording itself
        await session.run(() => H.start('stop', H.rec.stop()));
        const stopped = await jobDone(session, 'stop');
        assert.ok(stopped.ok, `stop(): ${JSON.stringify(stopped.error)}`);
        await server.dev('DELETE', '/__dev/log');
        const t0 = Date.now();
        await session.refresh();
        const post = await server.waitForLog((log) => uploadPosts(log)[0], {
          what: 'the resumed POST /upload after the reload', diag: () => report(session, server),
        });
        const put = await server.waitForLog((log) => storagePuts(log).find((e) => e.status === 200), {
          what: 'the resumed upload to finish', diag: () => report(session, server),
        });
        await uploadedRecord(server, put.voicenote_id);
        await pageReady(session);
        const job = await jobDone(session, 'autoinit');
        assert.ok(job.ok, `init with resumeOnInit: ${JSON.stringify(job.error)}`);
        await waitFor(async () => (await session.run(() => H.pending())).length === 0, { what: 'nothing pending' });
        toPost.push(post.at_ms - t0);
        toUploaded.push(put.end_ms - t0);
      }
      const a = Math.round(median(toPost));
      const b = Math.round(median(toUploaded));
      console.log(`BENCH durability.reload_to_resumed_upload_ms ${browser} ${a}`);
      console.log(`BENCH durability.reload_to_uploaded_ms ${browser} ${b}`);
      note(`reload → POST /upload ${toPost.map(Math.round).join(' ')} ms; → stored ${toUploaded.map(Math.round).join(' ')} ms`);
    });
  });
}
