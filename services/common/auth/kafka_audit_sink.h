#pragma once
// Audit records to the audit topic (keyed by workspace), without waiting for
// the broker; a record that could not be delivered is logged.
#include "common/auth/server_auth.h"
#include "common/kafka.h"

namespace herald::auth {

class KafkaAuditSink final : public AuditSink {
 public:
  explicit KafkaAuditSink(KafkaProducer& producer) : producer_(producer) {}
  void Record(const herald::events::v1::AuditRecord& record) override;

 private:
  KafkaProducer& producer_;
};

}  // namespace herald::auth
