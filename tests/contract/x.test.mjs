// Contract: twitter-api-v2 (the most used X client) against the simulator,
// over HTTPS (the client speaks nothing else).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TwitterApi, ApiResponseError } from 'twitter-api-v2';

function client(token) {
  const x = new TwitterApi(token);
  // The client has no setting for its API root: point it at the simulator.
  x.v2._prefix = `${process.env.SIM_TLS_URL}/2/`;
  return x.v2;
}

test('reads the user, posts, reads the post and the timeline back', async () => {
  const x = client('tok-a');
  const me = await x.me();
  assert.equal(me.data.username, 'alice');
  const text = `x contract ${Date.now()}`;
  const posted = await x.tweet(text);
  assert.match(posted.data.id, /^[0-9]+$/);
  assert.equal(posted.data.text, text);
  const single = await x.singleTweet(posted.data.id, { 'tweet.fields': ['public_metrics', 'created_at'] });
  assert.equal(single.data.id, posted.data.id);
  assert.ok(single.data.public_metrics);
  const timeline = await x.userTimeline(me.data.id, { max_results: 5 });
  assert.equal(timeline.tweets[0].id, posted.data.id);
  assert.equal(timeline.meta.newest_id, posted.data.id);
  const reply = await x.reply('a reply', posted.data.id);
  assert.ok(reply.data.id);
});

test('rate-limit headers come with every post and the client reads them', async () => {
  const x = client('tok-a');
  const res = await x.post('tweets', { text: `limits ${Date.now()}` }, { fullResponse: true });
  assert.ok(res.data.data.id);
  assert.equal(typeof res.rateLimit.limit, 'number');
  assert.ok(res.rateLimit.remaining < res.rateLimit.limit);
  assert.ok(res.rateLimit.reset * 1000 > Date.now());
  assert.ok(Number(res.headers['x-user-limit-24hour-limit']) > 0);
});

test('errors are X problems the client decodes', async () => {
  await assert.rejects(client('wrong').me(), (e) => e instanceof ApiResponseError && e.code === 401);
  const x = client('tok-a');
  const text = `dup ${Date.now()}`;
  await x.tweet(text);
  await assert.rejects(x.tweet(text), (e) => {
    assert.ok(e instanceof ApiResponseError);
    assert.equal(e.code, 403);
    assert.match(e.data.detail, /duplicate content/);
    return true;
  });
  await assert.rejects(x.tweet('x'.repeat(281)), (e) => e instanceof ApiResponseError && e.code === 400 &&
    /too long/.test(JSON.stringify(e.data)));
  await assert.rejects(x.userTimeline('101', { max_results: 500 }), (e) => e instanceof ApiResponseError && e.code === 400);
  const missing = await x.singleTweet('1');
  assert.equal(missing.errors[0].title, 'Not Found Error');
});

test('uploads an image in chunks, waits for processing, attaches it', async () => {
  const x = client('tok-a');
  const bytes = Buffer.from(await (await fetch(`${process.env.SIM_URL}/_sim/media/x.png?bytes=1500000`)).arrayBuffer());
  // Two 1 MB segments; the simulator reports processing_info and the client polls STATUS.
  const mediaId = await x.uploadMedia(bytes, { media_type: 'image/png' });
  assert.match(mediaId, /^[0-9]+$/);
  const posted = await x.tweet({ text: `with an image ${Date.now()}`, media: { media_ids: [mediaId] } });
  const single = await x.singleTweet(posted.data.id, { 'tweet.fields': ['attachments'] });
  assert.deepEqual(single.data.attachments.media_keys, [`3_${mediaId}`]);
  await assert.rejects(x.tweet({ text: 'unknown media', media: { media_ids: ['123'] } }), (e) => {
    assert.ok(e instanceof ApiResponseError);
    assert.equal(e.code, 400);
    assert.match(JSON.stringify(e.data), /media IDs are invalid/);
    return true;
  });
});
