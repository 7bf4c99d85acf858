// The monthly photo show-and-tell and Our memories, on two phones at 360 px: Mira picks a
// photo that carries her camera and the place it was taken (EXIF with GPS) and a plain one,
// Jonas picks one; neither sees the other's picks, and what Tend keeps has no metadata at all.
// Jonas starts; Mira's waiting page turns into the teller's screen by itself, his answer
// reaches her phone live, and "Next", "Swap" and "Finish" move both phones on (a reload in
// the middle resumes at the same photo). Our memories then holds the photos, captions and
// answers and finds them by a word of a caption. Another couple, at 320 px, gets the same 404
// as for nothing at all. Every page is audited as it stands (overflow, axe, tap targets).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { apiPost, audit, backends, launchBrowser, logIn, startTend } from '../lib/tend.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const shot = async (page, name) => {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: join(process.env.SCREENSHOTS, `${name}.png`), fullPage: true });
};

/** Waits until the page listens for the partner's changes (its /events stream is open). */
const live = (page) => page.waitForFunction(() => document.documentElement.dataset.live === 'connected');

const CAMERA = 'TendTestCam';

/** A JPEG drawn on a canvas in `page`: a sky of `hue`, a sun and `label` written across it. */
async function canvasJpeg(page, hue, label) {
  const bytes = await page.evaluate(async ({ hue, label }) => {
    const canvas = document.createElement('canvas');
    canvas.width = 800;
    canvas.height = 600;
    const g = canvas.getContext('2d');
    const sky = g.createLinearGradient(0, 0, 0, 600);
    sky.addColorStop(0, `hsl(${hue} 70% 78%)`);
    sky.addColorStop(1, `hsl(${hue + 40} 55% 35%)`);
    g.fillStyle = sky;
    g.fillRect(0, 0, 800, 600);
    g.fillStyle = '#ffd34d';
    g.beginPath();
    g.arc(600, 160, 80, 0, 2 * Math.PI);
    g.fill();
    g.fillStyle = '#222';
    g.font = 'bold 64px sans-serif';
    g.fillText(label, 60, 520);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
    return [...new Uint8Array(await blob.arrayBuffer())];
  }, { hue, label });
  return Buffer.from(bytes);
}

/**
 * The JPEG with an EXIF block spliced in right after its SOI marker (FF D8), as a phone's camera
 * writes one: an APP1 segment holding "Exif\0\0" and a little-endian TIFF whose first IFD names
 * the camera (Make, Model) and points to a GPS IFD with where the photo was taken.
 */
function withGpsExif(jpeg, { make = CAMERA, model = 'Pocket Z-42' } = {}) {
  assert.ok(jpeg[0] === 0xff && jpeg[1] === 0xd8, 'a JPEG starts with SOI');
  const ascii = (s) => Buffer.from(`${s}\0`, 'latin1');
  const makeText = ascii(make);
  const modelText = ascii(model);
  // Where everything goes, counted from the start of the TIFF header:
  // header (8) · IFD0 with 3 entries · Make · Model · GPS IFD with 4 entries · two RATIONAL triples.
  const ifdSize = (entries) => 2 + entries * 12 + 4; // count, 12-byte entries, next-IFD offset
  const ifd0At = 8;
  const makeAt = ifd0At + ifdSize(3);
  const modelAt = makeAt + makeText.length;
  const gpsAt = (modelAt + modelText.length + 1) & ~1; // IFDs start on an even offset
  const latitudeAt = gpsAt + ifdSize(4);
  const longitudeAt = latitudeAt + 24; // 3 RATIONALs of two LONGs each
  const tiff = Buffer.alloc(longitudeAt + 24);

  tiff.write('II', 0, 'latin1'); // little-endian ("Intel")
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(ifd0At, 4);
  // One IFD entry: tag, type (2 ASCII, 4 LONG, 5 RATIONAL), count, then the value itself when
  // it fits in 4 bytes (a Buffer here), else the offset of where it is (a number).
  const entry = (at, tag, type, count, value) => {
    tiff.writeUInt16LE(tag, at);
    tiff.writeUInt16LE(type, at + 2);
    tiff.writeUInt32LE(count, at + 4);
    if (Buffer.isBuffer(value)) value.copy(tiff, at + 8);
    else tiff.writeUInt32LE(value, at + 8);
  };
  const rationals = (at, values) => values.forEach(([n, d], i) => {
    tiff.writeUInt32LE(n, at + i * 8);
    tiff.writeUInt32LE(d, at + i * 8 + 4);
  });

  // IFD0, its entries sorted by tag: Make, Model, and the pointer to the GPS IFD.
  tiff.writeUInt16LE(3, ifd0At);
  entry(ifd0At + 2, 0x010f, 2, makeText.length, makeAt);
  entry(ifd0At + 14, 0x0110, 2, modelText.length, modelAt);
  entry(ifd0At + 26, 0x8825, 4, 1, gpsAt);
  tiff.writeUInt32LE(0, ifd0At + 38); // no further IFD
  makeText.copy(tiff, makeAt);
  modelText.copy(tiff, modelAt);

  // The GPS IFD: 52° 31′ 12″ N, 13° 24′ 36″ E (Berlin), references inline.
  tiff.writeUInt16LE(4, gpsAt);
  entry(gpsAt + 2, 0x0001, 2, 2, ascii('N')); // GPSLatitudeRef
  entry(gpsAt + 14, 0x0002, 5, 3, latitudeAt); // GPSLatitude
  entry(gpsAt + 26, 0x0003, 2, 2, ascii('E')); // GPSLongitudeRef
  entry(gpsAt + 38, 0x0004, 5, 3, longitudeAt); // GPSLongitude
  tiff.writeUInt32LE(0, gpsAt + 50);
  rationals(latitudeAt, [[52, 1], [31, 1], [12, 1]]);
  rationals(longitudeAt, [[13, 1], [24, 1], [36, 1]]);

  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2); // the length counts itself, not the marker
  return Buffer.concat([jpeg.subarray(0, 2), header, payload, jpeg.subarray(2)]);
}

/** The markers of a JPEG's segments, from SOI up to its image data (SOS), e.g. [0xe0, 0xdb, …]. */
function jpegMarkers(jpeg) {
  assert.ok(jpeg[0] === 0xff && jpeg[1] === 0xd8, 'a JPEG starts with SOI');
  const markers = [];
  let at = 2;
  while (at + 4 <= jpeg.length) {
    assert.equal(jpeg[at], 0xff, `a segment starts at byte ${at}`);
    const marker = jpeg[at + 1];
    if (marker === 0xff) { at += 1; continue; } // fill byte
    markers.push(marker);
    if (marker === 0xda) break;
    at += 2 + jpeg.readUInt16BE(at + 2);
  }
  return markers;
}

const SIZES = ['thumb', 'screen', 'full'];

/** The status of each size of a photo, as `page`'s person (their cookies) fetches it. */
async function statuses(page, base, id) {
  return Promise.all(SIZES.map(async (size) => (await page.request.get(`${base}/photos/${id}/${size}`)).status()));
}

/** The ids of the photos `page` shows in its main part, in order. */
async function photoIds(page) {
  const srcs = await page.locator('main img[src^="/photos/"]').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src')));
  return srcs.map((src) => src.split('/')[2]);
}

for (const backend of backends()) {
  describe(`photo show-and-tell on ${backend.name}`, () => {
    let tend;
    // Open sign-up, so that a second couple can join the same Tend.
    const env = { ...backend.env, TEND_REGISTRATION: 'open' };
    if (env.TEND_DATABASE_SCHEMA) env.TEND_DATABASE_SCHEMA += '_photos';
    before(async () => { tend = await startTend(env); });
    after(async () => { await tend?.stop(); });

    test('pick privately, show and tell live on two phones, keep in Our memories', { timeout: 120_000 }, async () => {
      const started = Date.now();
      const problems = [];
      const base = tend.base;
      const couple = async (a, b) => {
        const first = await apiPost(base, '/api/v1/auth/signup', {
          display_name: a, email: `${a.toLowerCase()}@example.org`, password: 'a long enough password', time_zone: 'Europe/Berlin',
        });
        const invite = await apiPost(base, '/api/v1/invites', {}, first.token);
        await apiPost(base, '/api/v1/auth/signup', {
          display_name: b, email: `${b.toLowerCase()}@example.org`, password: 'a long enough password', time_zone: 'Europe/Berlin', invite: invite.code,
        });
      };
      await couple('Mira', 'Jonas');
      const context = (width) => browser.newContext({
        viewport: { width, height: 740 }, hasTouch: true, timezoneId: 'Europe/Berlin', locale: 'en-GB',
      });
      const m = await (await context(360)).newPage();
      const j = await (await context(360)).newPage();
      await logIn(m, base, 'mira@example.org');
      await logIn(j, base, 'jonas@example.org');

      // The photos, drawn here; the first carries camera and GPS details.
      const plainBalcony = await canvasJpeg(m, 200, 'Balcony');
      const balcony = withGpsExif(plainBalcony);
      assert.ok(jpegMarkers(balcony).includes(0xe1) && balcony.includes(CAMERA), 'the upload carries EXIF');
      const market = await canvasJpeg(m, 30, 'Market');
      const lake = await canvasJpeg(m, 120, 'Lake');

      // Mira picks two, one with a caption; Jonas picks one.
      const pick = async (page, name, buffer, caption) => {
        await page.locator('form.upload-form #photo').setInputFiles({ name, mimeType: 'image/jpeg', buffer });
        if (caption) await page.locator('#caption').fill(caption);
        await page.getByRole('button', { name: 'Add to my photos' }).click();
        await page.waitForURL(/\/show-and-tell\?done=picked/);
        await page.getByRole('status').filter({ hasText: 'Picked' }).waitFor();
      };
      await m.goto(`${base}/show-and-tell`);
      await m.getByRole('heading', { name: 'Your photos for next time' }).waitFor();
      problems.push(...await audit(m, 'Show-and-tell, nothing picked, 360'));
      await shot(m, 'photos-hub-empty-360');
      await pick(m, 'IMG_2041.jpg', balcony, 'Our balcony in spring');
      await pick(m, 'IMG_2042.jpg', market, '');
      const miraIds = await photoIds(m);
      assert.equal(miraIds.length, 2, 'Mira sees her two picks');
      const balconyId = (await m.locator('main img[alt="Our balcony in spring"]').getAttribute('src')).split('/')[2];
      const marketId = miraIds.find((id) => id !== balconyId);
      assert.ok(balconyId && marketId);
      assert.match(await m.locator('main').textContent(), /You have picked 2\./);
      problems.push(...await audit(m, 'Show-and-tell, two picked, 360'));
      await shot(m, 'photos-hub-picked-360');

      await j.goto(`${base}/show-and-tell`);
      await j.getByText('Mira has picked 2 photos.').waitFor();
      assert.deepEqual(await photoIds(j), [], 'Jonas sees none of Mira’s picks');
      await pick(j, 'lake.jpg', lake, 'The lake at dawn');
      const [lakeId] = await photoIds(j);
      assert.ok(lakeId);
      assert.match(await j.locator('main').textContent(), /Mira has picked 2 photos\./);
      problems.push(...await audit(j, 'Show-and-tell, partner picked, 360'));
      await shot(j, 'photos-hub-jonas-360');

      // Before the show-and-tell, Mira's picks are hers alone: the same 404 as nothing at all.
      assert.deepEqual(await statuses(j, base, balconyId), [404, 404, 404]);
      assert.deepEqual(await statuses(j, base, marketId), [404, 404, 404]);
      assert.deepEqual(await statuses(m, base, lakeId), [404, 404, 404]);

      // What Tend keeps: JPEG, private to the browser, with no EXIF (no APP1 at all), no camera,
      // no place.
      for (const size of SIZES) {
        const response = await m.request.get(`${base}/photos/${balconyId}/${size}`);
        assert.equal(response.status(), 200, size);
        assert.equal(response.headers()['content-type'], 'image/jpeg', size);
        assert.match(response.headers()['cache-control'] ?? '', /\bprivate\b/, size);
        const body = await response.body();
        const markers = jpegMarkers(body);
        assert.ok(!markers.includes(0xe1), `${size}: no APP1 segment (EXIF or XMP), found ${markers.map((x) => x.toString(16))}`);
        assert.ok(!body.includes('Exif') && !body.includes(CAMERA) && !body.includes('Pocket Z-42'), `${size}: no EXIF, no camera`);
      }
      for (const path of [`/photos/${balconyId}/huge`, `/photos/${balconyId}`, '/photos/not-a-photo-id/thumb', `/photos/${'A'.repeat(22)}/thumb`]) {
        assert.equal((await m.request.get(`${base}${path}`)).status(), 404, path);
      }

      // Jonas starts with Mira first. Mira's waiting page turns into the teller's screen by
      // itself; Jonas listens.
      await m.goto(`${base}/show-and-tell`);
      await live(m);
      await j.getByRole('button', { name: 'Start: Mira goes first' }).click();
      await j.waitForURL(/\/show-and-tell\/\d+$/);
      const showUrl = j.url();
      await j.getByRole('heading', { name: 'Mira is telling' }).waitFor();
      await m.getByRole('heading', { name: 'Tell Jonas about it' }).waitFor({ timeout: 5_000 });
      assert.deepEqual(await photoIds(m), [balconyId], 'Mira’s first photo, on her phone');
      assert.deepEqual(await photoIds(j), [balconyId], 'and on Jonas’s');
      assert.equal(await j.locator('.show-photo img').getAttribute('src'), `/photos/${balconyId}/screen`);
      assert.equal((await j.locator('.show-photo figcaption').textContent()).trim(), 'Our balcony in spring');
      assert.match((await j.locator('.listener-prompt').textContent()).trim(), /^Listen, then if you’d like to ask: “.+”$/);
      assert.match(await j.locator('main').textContent(), /Photo 1 of 3/);
      assert.ok(await j.locator('label.reaction-choice').count() >= 3, 'a few reactions to choose from');
      assert.deepEqual(await statuses(j, base, balconyId), [200, 200, 200], 'shown now, so Jonas may open it');
      assert.deepEqual(await statuses(j, base, marketId), [404, 404, 404], 'but not the one still to come');
      problems.push(...await audit(j, 'Show-and-tell, listener, 360'));
      await shot(j, 'photos-live-listener-360');

      // Jonas answers; it reaches Mira's phone without a reload.
      await live(m);
      await j.locator('label.reaction-choice', { hasText: 'Take me there' }).click();
      await j.locator('#words').fill('I want to sit out there with you');
      await j.locator('.photo-reply-form').getByRole('button', { name: 'Send' }).click();
      await j.locator('.photo-reply-form').getByRole('button', { name: 'Change my answer' }).waitFor();
      const reply = m.locator('.photo-reply');
      await reply.waitFor({ timeout: 5_000 });
      assert.match(await reply.textContent(), /Jonas:.*Take me there.*“I want to sit out there with you”/);
      problems.push(...await audit(m, 'Show-and-tell, teller with an answer, 360'));
      await shot(m, 'photos-live-teller-360');

      // "Next photo" on Mira's phone moves Jonas's too.
      await live(j);
      await m.getByRole('button', { name: 'Next photo' }).click();
      await m.locator('.live-step', { hasText: 'Your photo 2 of 2' }).waitFor();
      await j.locator('.live-step', { hasText: 'Mira’s photo 2 of 2' }).waitFor({ timeout: 5_000 });
      assert.deepEqual(await photoIds(j), [marketId]);
      assert.equal(await j.locator('.show-photo figcaption').count(), 0, 'no caption, none shown');
      assert.equal(await j.locator('input[name="reaction"]:checked').count(), 0, 'a fresh answer for a new photo');

      // A reload in the middle resumes at the same photo.
      await j.reload();
      await j.getByRole('heading', { name: 'Mira is telling' }).waitFor();
      assert.equal(j.url(), showUrl);
      assert.deepEqual(await photoIds(j), [marketId]);
      assert.match(await j.locator('main').textContent(), /Photo 2 of 3/);

      // The next photo is Jonas's: the button says so, and the roles change on both phones.
      await m.getByRole('button', { name: 'Swap: Jonas’s turn' }).waitFor();
      await live(m);
      await j.getByRole('button', { name: 'Swap: my turn' }).click();
      await j.getByRole('heading', { name: 'Tell Mira about it' }).waitFor();
      await m.getByRole('heading', { name: 'Jonas is telling' }).waitFor({ timeout: 5_000 });
      assert.deepEqual(await photoIds(m), [lakeId]);
      assert.match(await m.locator('.live-step').textContent(), /Jonas’s photo 1 of 1/);
      problems.push(...await audit(j, 'Show-and-tell, teller after the swap, 360'));
      problems.push(...await audit(m, 'Show-and-tell, listener after the swap, 360'));
      await shot(m, 'photos-live-swapped-listener-360');

      // Mira answers in words alone; then "Finish" on her phone ends it on both.
      await live(j);
      await m.locator('#words').fill('Which lake was that?');
      await m.locator('.photo-reply-form').getByRole('button', { name: 'Send' }).click();
      await j.locator('.photo-reply', { hasText: 'Which lake was that?' }).waitFor({ timeout: 5_000 });
      await shot(j, 'photos-live-swapped-teller-360');
      await live(j);
      await m.getByRole('button', { name: 'Finish' }).click();
      for (const page of [m, j]) {
        await page.getByRole('heading', { name: /^Your show-and-tell, / }).waitFor({ timeout: 5_000 });
        assert.equal(await page.locator('.photo-grid li').count(), 3);
        const grid = await page.locator('.photo-grid').textContent();
        assert.match(grid, /Our balcony in spring/);
        assert.match(grid, /I want to sit out there with you/);
        assert.match(grid, /Which lake was that\?/);
      }
      problems.push(...await audit(m, 'Show-and-tell, finished, 360'));
      await shot(m, 'photos-finished-360');
      assert.deepEqual(await statuses(j, base, marketId), [200, 200, 200], 'every photo shown is the couple’s now');

      // Our memories keeps them, and finds them by a word of a caption.
      await m.getByRole('link', { name: 'Our memories' }).click();
      await m.waitForURL(/\/memories$/);
      await m.getByRole('heading', { name: 'Our memories', level: 1 }).waitFor();
      for (const page of [m, j]) {
        if (page === j) await j.goto(`${base}/memories`);
        assert.equal(await page.locator('.memory-photo').count(), 3);
        assert.deepEqual((await photoIds(page)).sort(), [balconyId, marketId, lakeId].sort());
        const text = await page.locator('#memories').textContent();
        assert.match(text, /Our balcony in spring/);
        assert.match(text, /The lake at dawn/);
        assert.match(text, /Take me there · “I want to sit out there with you”/);
        assert.match(text, /“Which lake was that\?”/);
      }
      problems.push(...await audit(m, 'Our memories, 360'));
      await shot(m, 'photos-memories-360');
      await j.setViewportSize({ width: 320, height: 740 });
      problems.push(...await audit(j, 'Our memories, 320'));
      await shot(j, 'photos-memories-320');

      await m.locator('#q').fill('balcony');
      await m.getByRole('button', { name: 'Search' }).click();
      await m.waitForURL(/\/memories\?q=balcony/);
      assert.equal(await m.locator('.memory-photo').count(), 1);
      assert.match(await m.locator('.memory-photo').textContent(), /Our balcony in spring/);
      await m.locator('#q').fill('zebracornflakes');
      await m.getByRole('button', { name: 'Search' }).click();
      await m.waitForURL(/\/memories\?q=zebracornflakes/);
      assert.equal(await m.locator('.memory-photo').count(), 0);
      await m.getByText('Nothing matches “zebracornflakes”.').waitFor();
      problems.push(...await audit(m, 'Our memories, nothing found, 360'));
      await shot(m, 'photos-memories-none-360');

      // Another couple gets the same 404 as for nothing at all, for photos and the show-and-tell.
      await couple('Ana', 'Ben');
      const a = await (await context(320)).newPage();
      await logIn(a, base, 'ana@example.org');
      for (const id of [balconyId, marketId, lakeId]) assert.deepEqual(await statuses(a, base, id), [404, 404, 404], id);
      assert.equal((await a.request.get(showUrl)).status(), 404, 'their show-and-tell');
      await a.goto(`${base}/memories`);
      assert.equal(await a.locator('.memory-photo').count(), 0);
      problems.push(...await audit(a, 'Our memories, empty, 320'));
      await shot(a, 'photos-memories-other-couple-320');
      await a.goto(`${base}/show-and-tell`);
      assert.deepEqual(await photoIds(a), []);
      problems.push(...await audit(a, 'Show-and-tell, other couple, 320'));
      await shot(a, 'photos-hub-other-couple-320');

      console.log(`photos on ${backend.name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      assert.deepEqual(problems, []);
    });
  });
}
