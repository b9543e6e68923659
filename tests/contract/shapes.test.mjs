// Shape tests for the networks without a widely used SDK (LinkedIn, Meta's
// Graph API): plain fetch, checking what their documentation promises about
// each answer — ids, headers, error envelopes, versions.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const base = process.env.SIM_URL;
const bearer = (token) => ({ authorization: `Bearer ${token}` });
const li = (token, version = '202610') => ({ ...bearer(token), 'LinkedIn-Version': version,
  'X-Restli-Protocol-Version': '2.0.0', 'content-type': 'application/json' });

async function json(res) {
  assert.match(res.headers.get('content-type') ?? '', /json/);
  return res.json();
}

test('LinkedIn: a post returns its URN in x-restli-id; comments hang under it', async () => {
  const me = await json(await fetch(`${base}/v2/userinfo`, { headers: bearer('tok-a') }));
  assert.ok(me.sub);
  const author = `urn:li:person:${me.sub}`;
  const post = await fetch(`${base}/rest/posts`, { method: 'POST', headers: li('tok-a'), body: JSON.stringify({
    author, commentary: `shape ${Date.now()}`, visibility: 'PUBLIC', lifecycleState: 'PUBLISHED',
    distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] } }) });
  assert.equal(post.status, 201);
  const urn = post.headers.get('x-restli-id');
  assert.match(urn, /^urn:li:share:[0-9]+$/);
  const list = await json(await fetch(`${base}/rest/posts?q=author&author=${encodeURIComponent(author)}&count=5`,
    { headers: li('tok-a') }));
  assert.equal(list.elements[0].id, urn);
  assert.equal(typeof list.paging.count, 'number');
  const comment = await fetch(`${base}/rest/socialActions/${encodeURIComponent(urn)}/comments`, { method: 'POST',
    headers: li('tok-a'), body: JSON.stringify({ actor: author, object: urn, message: { text: 'a comment' } }) });
  assert.equal(comment.status, 201);
  assert.match(comment.headers.get('x-restli-id'), /^urn:li:comment:\(urn:li:activity:[0-9]+,[0-9]+\)$/);
});

test('LinkedIn: errors carry status, serviceErrorCode, code and message; a retired version is 426', async () => {
  const bad = await fetch(`${base}/v2/userinfo`, { headers: bearer('wrong') });
  assert.equal(bad.status, 401);
  const e = await json(bad);
  assert.deepEqual(Object.keys(e).sort(), ['code', 'message', 'serviceErrorCode', 'status']);
  assert.equal(e.code, 'INVALID_ACCESS_TOKEN');
  const old = await fetch(`${base}/rest/posts?q=author&author=x`, { headers: li('tok-a', '202301') });
  assert.equal(old.status, 426);
  assert.equal((await json(old)).code, 'NONEXISTENT_VERSION');
  const none = await fetch(`${base}/rest/posts?q=author&author=x`, { headers: bearer('tok-a') });
  assert.equal(none.status, 426);
  const unknown = await fetch(`${base}/rest/nothingHere`, { headers: li('tok-a') });
  assert.equal(unknown.status, 404);
  assert.equal((await json(unknown)).status, 404);
});

test('Graph: any live version, parameters as query, form or JSON; ids as Graph gives them', async () => {
  const me = await json(await fetch(`${base}/v24.0/me?fields=id,name`, { headers: bearer('tok-a') }));
  assert.match(me.id, /^[0-9]+$/);
  const asQuery = await json(await fetch(`${base}/v22.0/${me.id}/feed?message=${encodeURIComponent('by query')}`,
    { method: 'POST', headers: bearer('tok-a') }));
  assert.match(asQuery.id, new RegExp(`^${me.id}_[0-9]+$`));
  const asForm = await fetch(`${base}/v24.0/${me.id}/feed`, { method: 'POST', headers: bearer('tok-a'),
    body: new URLSearchParams({ message: 'by form' }) });
  assert.equal(asForm.status, 200);
  assert.ok(asForm.headers.get('x-business-use-case-usage'));
  const comment = await json(await fetch(`${base}/v24.0/${asQuery.id}/comments`, { method: 'POST',
    headers: { ...bearer('tok-a'), 'content-type': 'application/json' }, body: JSON.stringify({ message: 'hi' }) }));
  assert.match(comment.id, /_[0-9]+$/);
  const comments = await json(await fetch(`${base}/v24.0/${asQuery.id}/comments`, { headers: bearer('tok-a') }));
  assert.equal(comments.data[0].id, comment.id);
});

test('Graph: errors are {error: {message, type, code, fbtrace_id}}', async () => {
  const bad = await json(await fetch(`${base}/v24.0/me`, { headers: bearer('wrong') }));
  assert.equal(bad.error.code, 190);
  assert.equal(bad.error.type, 'OAuthException');
  assert.ok(bad.error.fbtrace_id);
  const missing = await fetch(`${base}/v24.0/1/comments`, { method: 'POST', headers: bearer('tok-a'),
    body: new URLSearchParams({ message: 'to nothing' }) });
  assert.equal(missing.status, 400);
  assert.equal((await json(missing)).error.code, 100);
  const unknown = await json(await fetch(`${base}/v24.0/${'1'}/nothing`, { headers: bearer('tok-a') }));
  assert.equal(unknown.error.code, 2500);
});

test('LinkedIn: an image is initialized, PUT to its upload URL and named by URN in a post', async () => {
  const me = await json(await fetch(`${base}/v2/userinfo`, { headers: bearer('tok-a') }));
  const owner = `urn:li:person:${me.sub}`;
  const init = await json(await fetch(`${base}/rest/images?action=initializeUpload`, { method: 'POST', headers: li('tok-a'),
    body: JSON.stringify({ initializeUploadRequest: { owner } }) }));
  assert.match(init.value.image, /^urn:li:image:[A-Za-z0-9]+$/);
  assert.ok(init.value.uploadUrlExpiresAt > Date.now());
  const bytes = await (await fetch(`${base}/_sim/media/li.jpg?bytes=3000`)).arrayBuffer();
  const put = await fetch(init.value.uploadUrl, { method: 'PUT', headers: { ...bearer('tok-a'),
    'content-type': 'application/octet-stream' }, body: bytes });
  assert.equal(put.status, 201);
  const image = await json(await fetch(`${base}/rest/images/${init.value.image}`, { headers: li('tok-a') }));
  assert.equal(image.status, 'AVAILABLE');
  const post = await fetch(`${base}/rest/posts`, { method: 'POST', headers: li('tok-a'), body: JSON.stringify({
    author: owner, commentary: `with an image ${Date.now()}`, visibility: 'PUBLIC', lifecycleState: 'PUBLISHED',
    distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
    content: { media: { id: init.value.image, altText: 'a test image' } } }) });
  assert.equal(post.status, 201);
  const unknown = await fetch(`${base}/rest/posts`, { method: 'POST', headers: li('tok-a'), body: JSON.stringify({
    author: owner, commentary: 'bad image', visibility: 'PUBLIC', lifecycleState: 'PUBLISHED',
    distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
    content: { media: { id: 'urn:li:image:C4E10AQ999' } } }) });
  assert.equal(unknown.status, 422);
  assert.equal((await json(unknown)).code, 'FIELD_VALUE_DENIED');
});

test('Graph: a Page photo post, and an Instagram carousel of finished item containers', async () => {
  const me = await json(await fetch(`${base}/v24.0/me?fields=id,name`, { headers: bearer('tok-a') }));
  const photo = await json(await fetch(`${base}/v24.0/${me.id}/photos`, { method: 'POST', headers: bearer('tok-a'),
    body: new URLSearchParams({ url: `${base}/_sim/media/fb.jpg`, message: 'a photo' }) }));
  assert.match(photo.id, /^[0-9]+$/);
  assert.match(photo.post_id, new RegExp(`^${me.id}_[0-9]+$`));
  const unreachable = await json(await fetch(`${base}/v24.0/${me.id}/photos`, { method: 'POST', headers: bearer('tok-a'),
    body: new URLSearchParams({ url: 'https://elsewhere.invalid/x.jpg' }) }));
  assert.equal(unreachable.error.code, 324);
  const item = async (n) => (await json(await fetch(`${base}/v24.0/${me.id}/media`, { method: 'POST',
    headers: { ...bearer('tok-a'), 'content-type': 'application/json' },
    body: JSON.stringify({ image_url: `${base}/_sim/media/ig${n}.jpg`, is_carousel_item: true }) }))).id;
  const children = [await item(1), await item(2)];
  const finished = async (id) => {
    for (let i = 0; i < 50; i++) {
      const s = await json(await fetch(`${base}/v24.0/${id}?fields=status_code`, { headers: bearer('tok-a') }));
      if (s.status_code === 'FINISHED') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`container ${id} never finished`);
  };
  for (const c of children) await finished(c);
  const carousel = await json(await fetch(`${base}/v24.0/${me.id}/media`, { method: 'POST', headers: bearer('tok-a'),
    body: new URLSearchParams({ media_type: 'CAROUSEL', children: children.join(','), caption: 'a carousel' }) }));
  await finished(carousel.id);
  const itemAlone = await json(await fetch(`${base}/v24.0/${me.id}/media_publish`, { method: 'POST',
    headers: bearer('tok-a'), body: new URLSearchParams({ creation_id: children[0] }) }));
  assert.equal(itemAlone.error.code, 100);
  const published = await json(await fetch(`${base}/v24.0/${me.id}/media_publish`, { method: 'POST',
    headers: bearer('tok-a'), body: new URLSearchParams({ creation_id: carousel.id }) }));
  assert.match(published.id, /^[0-9]+$/);
  const png = await json(await fetch(`${base}/v24.0/${me.id}/media`, { method: 'POST', headers: bearer('tok-a'),
    body: new URLSearchParams({ image_url: `${base}/_sim/media/ig.png` }) }));
  assert.equal(png.error.code, 9004);
});

test('every answer carries its network\'s rate-limit headers, reads and errors too (LinkedIn sends none)', async () => {
  const cases = [
    [`${base}/api/v1/accounts/verify_credentials`, 'x-ratelimit-remaining'],
    [`${base}/api/v1/no-such-endpoint`, 'x-ratelimit-remaining'],
    [`${base}/2/users/me`, 'x-rate-limit-remaining'],
    [`${base}/xrpc/com.atproto.repo.listRecords?repo=nobody.bsky.social&collection=app.bsky.feed.post`, 'ratelimit-remaining'],
    [`${base}/v24.0/me?fields=id`, 'x-app-usage'],
  ];
  for (const [url, header] of cases) {
    const res = await fetch(url, { headers: bearer('tok-a') });
    assert.ok(res.headers.get(header) !== null, `${url}: no ${header}`);
  }
  const reset = (await fetch(`${base}/2/users/me`, { headers: bearer('tok-a') })).headers.get('x-rate-limit-reset');
  assert.ok(Number(reset) * 1000 > Date.now());
  const linkedin = await fetch(`${base}/v2/userinfo`, { headers: bearer('tok-a') });
  assert.equal(linkedin.headers.get('x-ratelimit-remaining'), null);
});
