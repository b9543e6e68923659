// Contract: @atproto/api (Bluesky's own client) against the simulator's PDS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AtpAgent } from '@atproto/api';

const service = process.env.SIM_URL;

async function login(identifier = 'alice.bsky.social', password = 'tok-a') {
  const agent = new AtpAgent({ service });
  await agent.login({ identifier, password });
  return agent;
}

test('logs in with a handle, posts, reads the record back by key and in the list', async () => {
  const agent = await login();
  assert.match(agent.session.did, /^did:plc:[a-z2-7]{24}$/);
  assert.equal(agent.session.handle, 'alice.bsky.social');
  const text = `atproto contract ${Date.now()}`;
  const { uri, cid } = await agent.post({ text, createdAt: new Date().toISOString() });
  assert.match(uri, /^at:\/\/did:plc:[a-z2-7]{24}\/app\.bsky\.feed\.post\/[2-7a-z]{13}$/);
  assert.match(cid, /^bafyrei[a-z2-7]+$/);
  const rkey = uri.split('/').pop();
  const record = await agent.com.atproto.repo.getRecord({ repo: agent.session.did, collection: 'app.bsky.feed.post', rkey });
  assert.equal(record.data.cid, cid);
  assert.equal(record.data.value.text, text);
  const list = await agent.com.atproto.repo.listRecords({ repo: agent.session.did, collection: 'app.bsky.feed.post', limit: 5 });
  assert.equal(list.data.records[0].uri, uri);
});

test('a reply names its parent by uri and cid', async () => {
  const agent = await login();
  const parent = await agent.post({ text: `parent ${Date.now()}` });
  const reply = await agent.post({ text: 'a reply', reply: { root: parent, parent } });
  assert.ok(reply.uri);
  await assert.rejects(
    agent.post({ text: 'bad reply', reply: { root: parent, parent: { uri: parent.uri, cid: 'bafyreiaaaa' } } }),
    (e) => e.status === 400 && /reply/.test(e.message));
});

test('refreshes its session and resumes it', async () => {
  const agent = await login();
  const refreshed = await agent.com.atproto.server.refreshSession(undefined, {
    headers: { authorization: `Bearer ${agent.session.refreshJwt}` } });
  assert.ok(refreshed.data.accessJwt);
  const again = new AtpAgent({ service });
  await again.resumeSession({ ...agent.session, accessJwt: refreshed.data.accessJwt, refreshJwt: refreshed.data.refreshJwt });
  assert.equal(again.session.did, agent.session.did);
});

test('errors are XRPC errors the client names', async () => {
  await assert.rejects(login('alice.bsky.social', 'wrong'), (e) => e.error === 'AuthenticationRequired');
  await assert.rejects(login('alice', 'tok-a'), (e) => e.error === 'AuthenticationRequired');  // not a handle
  const agent = await login();
  await assert.rejects(agent.com.atproto.repo.getRecord({ repo: agent.session.did, collection: 'app.bsky.feed.post', rkey: '3zzzzzzzzzzzz' }),
    (e) => e.error === 'RecordNotFound');
  await assert.rejects(agent.post({ text: 'x'.repeat(301) }), (e) => e.status === 400);
  await assert.rejects(agent.app.bsky.graph.getFollowers({ actor: agent.session.did }), (e) => e.status === 501);
});

test('getProfile names the account and counts its followers', async () => {
  const agent = await login();
  const profile = await agent.getProfile({ actor: agent.session.did });
  assert.equal(profile.data.did, agent.session.did);
  assert.equal(profile.data.handle, 'alice.bsky.social');
  assert.ok(Number.isInteger(profile.data.followersCount) && profile.data.followersCount >= 1000);
});

test('uploads a blob and embeds it as an image; an over-size image is refused', async () => {
  const agent = await login();
  const png = new Uint8Array(await (await fetch(`${service}/_sim/media/b.png?bytes=5000`)).arrayBuffer());
  const { data } = await agent.uploadBlob(png, { encoding: 'image/png' });
  assert.match(data.blob.ref.toString(), /^bafkrei[a-z2-7]+$/);
  assert.equal(data.blob.mimeType, 'image/png');
  assert.equal(data.blob.size, 5000);
  const post = await agent.post({ text: `with an image ${Date.now()}`,
    embed: { $type: 'app.bsky.embed.images', images: [{ alt: 'a test image', image: data.blob }] } });
  const record = await agent.com.atproto.repo.getRecord({ repo: agent.session.did, collection: 'app.bsky.feed.post',
    rkey: post.uri.split('/').pop() });
  assert.equal(record.data.value.embed.images[0].image.ref.toString(), data.blob.ref.toString());
  const big = new Uint8Array(await (await fetch(`${service}/_sim/media/big.png?bytes=1000001`)).arrayBuffer());
  const uploaded = await agent.uploadBlob(big, { encoding: 'image/png' });
  await assert.rejects(agent.com.atproto.repo.createRecord({ repo: agent.session.did, collection: 'app.bsky.feed.post',
    record: { $type: 'app.bsky.feed.post', text: 'too big', createdAt: new Date().toISOString(),
      embed: { $type: 'app.bsky.embed.images', images: [{ alt: '', image: uploaded.data.blob }] } } }),
    (e) => e.status === 400 && /BlobTooLarge|too big|too large/i.test(`${e.error} ${e.message}`));
});

test('getPosts hydrates posts with their counts and leaves out one that is gone', async () => {
  const agent = await login();
  const { uri } = await agent.post({ text: `counted ${Date.now()}` });
  const gone = uri.replace(/[^/]+$/, '3zzzzzzzzzzzz');
  const res = await agent.getPosts({ uris: [uri, gone] });
  assert.equal(res.data.posts.length, 1);
  assert.equal(res.data.posts[0].uri, uri);
  for (const k of ['likeCount', 'repostCount', 'replyCount', 'quoteCount']) {
    assert.equal(typeof res.data.posts[0][k], 'number', k);
  }
});
