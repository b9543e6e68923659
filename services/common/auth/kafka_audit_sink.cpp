#include "common/auth/kafka_audit_sink.h"

#include "common/events.h"
#include "common/log.h"
#include "herald/topics.h"

namespace herald::auth {

void KafkaAuditSink::Record(const herald::events::v1::AuditRecord& r) {
  producer_.Produce(topics::k_audit, r.workspace_id(), r.SerializeAsString(), EventHeaders(r.meta()),
                    [method = r.method()](const std::string& error) {
                      if (!error.empty()) log::Warn("audit record lost", {{"method", method}, {"error", error}});
                    });
}

}  // namespace herald::auth
