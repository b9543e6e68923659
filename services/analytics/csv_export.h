#pragma once
// ExportReport: a report as CSV, streamed. The periods are cut into slices of
// about 5,000 rows (periods × groups, ~1 MB); each slice is read and written before the next is read, so
// a 400-day hourly export of 100 groups never sits in memory whole, and a
// reader that stops reading stops the reads.
#include <grpcpp/grpcpp.h>

#include "analytics/store/rollup_reader.h"
#include "common/executor.h"
#include "herald/analytics/v1/analytics.pb.h"

namespace herald::analytics {

grpc::ServerWriteReactor<v1::CsvChunk>* StartCsvExport(grpc::CallbackServerContext* ctx,
                                                       const v1::GetReportRequest& request, RollupReader& reader,
                                                       Executor& executor);

// The CSV rows of a report (with the header row when `header`). Absent
// values are empty cells.
std::string CsvRows(const v1::Report& report, const std::vector<v1::Figure>& figures, bool header);

}  // namespace herald::analytics
