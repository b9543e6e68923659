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
  await assert.rejects(agent.app.bsky.actor.getProfile({ actor: agent.session.did }), (e) => e.status === 501);
});
