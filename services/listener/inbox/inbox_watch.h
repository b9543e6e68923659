#pragma once
// WatchInbox: a server stream of a workspace's inbox changes. The watcher
// keeps a token (the last change it sent) and reads the feed from it
// whenever the feed's bell rings, one batch at a time, writing one change
// at a time: a slow client holds one batch, never an unbounded queue, and
// resumes exactly after the last change it was sent.
#include <grpcpp/grpcpp.h>

#include "common/executor.h"
#include "herald/listener/v1/inbox.pb.h"
#include "listener/inbox/inbox_feed.h"

namespace herald::listener {

grpc::ServerWriteReactor<v1::InboxChange>* StartInboxWatch(grpc::CallbackServerContext* ctx,
                                                            const v1::WatchInboxRequest* request, InboxFeed& feed,
                                                            Executor& executor);

}  // namespace herald::listener
