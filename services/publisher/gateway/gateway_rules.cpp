#include "publisher/gateway/gateway_rules.h"

#include "common/ids.h"
#include "common/time_util.h"
#include "publisher/connectors/inbound_sweep.h"

namespace herald::publisher {
namespace {

FieldErrors Common(const std::string& ws, const std::string& channel, const std::string& cursor, int page_size) {
  FieldErrors errors;
  if (!IsValidId(ws)) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!IsValidId(channel)) errors.Add("channel_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (auto c = DecodeCursor(cursor); !c.ok()) {
    errors.Add("cursor", "not one this gateway gave out (at most 1,024 bytes; pass next_cursor back as it came)");
  }
  if (page_size < 0 || page_size > kMaxInboundPage) errors.Add("page_size", "0 (the default, 50) to 100");
  return errors;
}

// Printable, no control characters: a term ends up in a network's URL.
bool PlainTerm(const std::string& t) {
  for (unsigned char c : t) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// A network's id of a post: digits, an at:// uri, page_post; never a space.
bool RemoteId(const std::string& id) {
  return !id.empty() && id.size() <= 256 && PlainTerm(id) && id.find(' ') == std::string::npos;
}

int PageOf(int page_size) { return page_size == 0 ? kDefaultInboundPage : page_size; }

}  // namespace

FieldErrors ValidateReadMentions(const v1::ReadMentionsRequest& r) {
  return Common(r.workspace_id(), r.channel_id(), r.cursor(), r.page_size());
}

FieldErrors ValidateSearchPosts(const v1::SearchPostsRequest& r) {
  FieldErrors errors = Common(r.workspace_id(), r.channel_id(), r.cursor(), r.page_size());
  if (r.terms().empty() || r.terms_size() > kMaxSearchTerms) errors.Add("terms", "1 to 10 terms");
  for (int i = 0; i < r.terms_size() && i < kMaxSearchTerms; ++i) {
    const std::string& t = r.terms(i);
    if (t.empty() || t.size() > 100 || !PlainTerm(t)) {
      errors.Add("terms[" + std::to_string(i) + "]", "1-100 bytes, no control characters");
    }
  }
  return errors;
}

FieldErrors ValidateReadReplies(const v1::ReadRepliesRequest& r) {
  FieldErrors errors = Common(r.workspace_id(), r.channel_id(), r.cursor(), r.page_size());
  if (!RemoteId(r.post_remote_id())) {
    errors.Add("post_remote_id", "required, 1-256 bytes, no spaces or control characters");
  }
  return errors;
}

FieldErrors ValidateGetPostMetrics(const v1::GetPostMetricsRequest& r) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!IsValidId(r.channel_id())) errors.Add("channel_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!RemoteId(r.post_remote_id())) {
    errors.Add("post_remote_id", "required, 1-256 bytes, no spaces or control characters");
  }
  return errors;
}

FieldErrors ValidateGetChannelMetrics(const v1::GetChannelMetricsRequest& r) {
  FieldErrors errors;
  if (!IsValidId(r.workspace_id())) errors.Add("workspace_id", "required, 1-64 of [A-Za-z0-9_-]");
  if (!IsValidId(r.channel_id())) errors.Add("channel_id", "required, 1-64 of [A-Za-z0-9_-]");
  return errors;
}

InboundQuery QueryOf(const v1::ReadMentionsRequest& r) {
  InboundQuery q;
  q.stream = InboundQuery::Stream::kMentions;
  q.cursor = r.cursor();
  q.limit = PageOf(r.page_size());
  return q;
}

InboundQuery QueryOf(const v1::SearchPostsRequest& r) {
  InboundQuery q;
  q.stream = InboundQuery::Stream::kSearch;
  q.terms.assign(r.terms().begin(), r.terms().end());
  q.cursor = r.cursor();
  q.limit = PageOf(r.page_size());
  return q;
}

InboundQuery QueryOf(const v1::ReadRepliesRequest& r) {
  InboundQuery q;
  q.stream = InboundQuery::Stream::kReplies;
  q.post_id = r.post_remote_id();
  q.cursor = r.cursor();
  q.limit = PageOf(r.page_size());
  return q;
}

bool WithinBounds(const InboundPost& p) {
  return !p.remote_id.empty() && p.remote_id.size() <= 256 && p.author_id.size() <= 256 &&
         p.author_handle.size() <= 256 && p.text.size() <= 100000 && p.url.size() <= 2048 &&
         p.parent_id.size() <= 256 && p.thread_id.size() <= 256 && p.language.size() <= 35;
}

void ToProto(const InboundPage& page, v1::InboundPage* out) {
  for (const auto& p : page.items) {
    if (!WithinBounds(p)) {
      out->set_refused(out->refused() + 1);
      continue;
    }
    auto* item = out->add_items();
    item->set_remote_id(p.remote_id);
    item->set_kind(p.kind);
    item->set_author_id(p.author_id);
    item->set_author_handle(p.author_handle);
    item->set_text(p.text);
    item->set_url(p.url);
    item->set_parent_remote_id(p.parent_id);
    item->set_thread_remote_id(p.thread_id);
    if (p.created_ms > 0) *item->mutable_create_time() = FromMs(p.created_ms);
    item->set_language(p.language);
  }
  out->set_next_cursor(page.next_cursor);
  out->set_more(page.more);
}

}  // namespace herald::publisher
