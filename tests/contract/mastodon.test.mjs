// Contract: masto (the most used Mastodon client) against the simulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRestAPIClient } from 'masto';

const url = process.env.SIM_URL;
const client = (token) => createRestAPIClient({ url, accessToken: token });

test('verifies credentials, posts, reads the status and the account timeline back', async () => {
  const masto = client('tok-a');
  const me = await masto.v1.accounts.verifyCredentials();
  assert.equal(me.username, 'alice');
  const text = `masto contract ${Date.now()}`;
  const status = await masto.v1.statuses.create({ status: text, visibility: 'public' });
  assert.ok(status.id);
  assert.match(status.content, new RegExp(text));
  const again = await masto.v1.statuses.$select(status.id).fetch();
  assert.equal(again.id, status.id);
  const timeline = await masto.v1.accounts.$select(me.id).statuses.list({ limit: 5 });
  assert.equal(timeline[0].id, status.id);
});

test('the same Idempotency-Key returns the first status', async () => {
  const masto = client('tok-a');
  const key = `idem-${Date.now()}`;
  const a = await masto.v1.statuses.create({ status: 'once only' }, { requestInit: { headers: { 'Idempotency-Key': key } } });
  const b = await masto.v1.statuses.create({ status: 'once only' }, { requestInit: { headers: { 'Idempotency-Key': key } } });
  assert.equal(a.id, b.id);
});

test('errors arrive as Mastodon errors the client can read', async () => {
  await assert.rejects(client('wrong-token').v1.accounts.verifyCredentials(), (e) => {
    assert.equal(e.statusCode, 401);
    assert.match(e.message, /access token is invalid/);
    return true;
  });
  const masto = client('tok-a');
  await assert.rejects(masto.v1.statuses.create({ status: 'x'.repeat(501) }), (e) => {
    assert.equal(e.statusCode, 422);
    assert.match(e.message, /character limit of 500/);
    return true;
  });
  await assert.rejects(masto.v1.statuses.$select('999999999').fetch(), (e) => {
    assert.equal(e.statusCode, 404);
    assert.match(e.message, /Record not found/);
    return true;
  });
  // An endpoint the simulator does not serve is a Mastodon 404, not a crash.
  await assert.rejects(async () => await masto.v1.lists.list(), (e) => {
    assert.equal(e.statusCode, 404);
    return true;
  });
});

test('uploads an image, waits out its processing, attaches it once', async () => {
  const masto = client('tok-a');
  const png = await (await fetch(`${url}/_sim/media/m.png?bytes=4000`)).arrayBuffer();
  // The simulator processes uploads for a while (202); masto polls until the url is set.
  const media = await masto.v2.media.create({ file: new Blob([png], { type: 'image/png' }), description: 'a test image' });
  assert.match(media.id, /^[0-9]+$/);
  assert.ok(media.url);
  assert.equal(media.type, 'image');
  const status = await masto.v1.statuses.create({ status: `with an image ${Date.now()}`, mediaIds: [media.id] });
  assert.equal(status.mediaAttachments.length, 1);
  assert.equal(status.mediaAttachments[0].id, media.id);
  await assert.rejects(masto.v1.statuses.create({ status: 'the same image again', mediaIds: [media.id] }), (e) => {
    assert.equal(e.statusCode, 422);
    return true;
  });
  await assert.rejects(masto.v2.media.create({ file: new Blob(['hello'], { type: 'text/plain' }) }), (e) => {
    assert.equal(e.statusCode, 422);
    assert.match(e.message, /content type is invalid/);
    return true;
  });
});
