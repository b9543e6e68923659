#pragma once
// What every Prometheus client library exports about its process, under the
// standard names (process_cpu_seconds_total, process_resident_memory_bytes,
// process_open_fds, ...), plus herald_build_info{service,version,revision} = 1
// so a dashboard can tell which build each replica runs.
// Read from /proc at scrape time: nothing runs between scrapes.
#include <prometheus/collectable.h>

#include <memory>
#include <string>

namespace herald {

// The figures /proc/<pid>/stat, status and fd give; pure parsing, unit-tested.
struct ProcessFigures {
  double cpu_seconds = 0;        // user + system
  double start_time_seconds = 0;  // unix time
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double open_fds = 0;
  double max_fds = 0;
  double threads = 0;
};

// Parses /proc/<pid>/stat's line (the command may contain spaces and ')').
// ticks_per_second: sysconf(_SC_CLK_TCK); boot_time: btime of /proc/stat.
bool ParseProcStat(const std::string& stat, double ticks_per_second, double boot_time_seconds, double page_size,
                   ProcessFigures& out);

std::shared_ptr<prometheus::Collectable> MakeProcessCollector(const std::string& service);

// The revision the binary was built from (git, at configure time), "unknown" outside git.
const char* BuildRevision();
const char* BuildVersion();

}  // namespace herald
