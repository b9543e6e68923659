#include "common/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <prometheus/metric_family.h>
#include <sstream>
#include <vector>

#ifndef HERALD_BUILD_REVISION
#define HERALD_BUILD_REVISION "unknown"
#endif
#ifndef HERALD_BUILD_VERSION
#define HERALD_BUILD_VERSION "unknown"
#endif

namespace herald {
namespace {

std::string ReadFile(const char* path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double BootTime() {
  std::istringstream in(ReadFile("/proc/stat"));
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime" && in >> value) return value;
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

double CountOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return 0;
  double n = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the directory handle itself
}

prometheus::MetricFamily Family(const std::string& name, const std::string& help, prometheus::MetricType type,
                                double value) {
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return prometheus::MetricFamily{name, help, type, {metric}};
}

class ProcessCollector final : public prometheus::Collectable {
 public:
  explicit ProcessCollector(std::string service)
      : service_(std::move(service)),
        ticks_(static_cast<double>(sysconf(_SC_CLK_TCK))),
        page_size_(static_cast<double>(sysconf(_SC_PAGESIZE))),
        boot_time_(BootTime()) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<prometheus::MetricFamily> out;
    ProcessFigures f;
    if (ParseProcStat(ReadFile("/proc/self/stat"), ticks_, boot_time_, page_size_, f)) {
      using prometheus::MetricType;
      out.push_back(Family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                           MetricType::Counter, f.cpu_seconds));
      out.push_back(Family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                           MetricType::Gauge, f.start_time_seconds));
      out.push_back(Family("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge,
                           f.resident_bytes));
      out.push_back(Family("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge,
                           f.virtual_bytes));
      out.push_back(Family("process_threads", "Number of OS threads in the process.", MetricType::Gauge, f.threads));
    }
    out.push_back(Family("process_open_fds", "Number of open file descriptors.", prometheus::MetricType::Gauge,
                         CountOpenFds()));
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
      out.push_back(Family("process_max_fds", "Maximum number of open file descriptors.",
                           prometheus::MetricType::Gauge, static_cast<double>(limit.rlim_cur)));
    }
    prometheus::ClientMetric info;
    info.label = {{"service", service_}, {"version", BuildVersion()}, {"revision", BuildRevision()}};
    info.gauge.value = 1;
    out.push_back(prometheus::MetricFamily{"herald_build_info", "Which build this process runs (always 1).",
                                           prometheus::MetricType::Gauge, {info}});
    return out;
  }

 private:
  std::string service_;
  double ticks_, page_size_, boot_time_;
};

}  // namespace

bool ParseProcStat(const std::string& stat, double ticks_per_second, double boot_time_seconds, double page_size,
                   ProcessFigures& out) {
  // "pid (comm) state ppid ..." — comm may hold anything, so fields start
  // after the last ')'. Field numbers below are proc(5)'s (1-based).
  auto close = stat.rfind(')');
  if (close == std::string::npos || ticks_per_second <= 0) return false;
  std::istringstream in(stat.substr(close + 1));
  std::vector<std::string> fields{"", "", ""};  // 1 pid, 2 comm: already consumed
  for (std::string field; in >> field;) fields.push_back(field);
  if (fields.size() < 25) return false;
  try {
    out.cpu_seconds = (std::stod(fields[14]) + std::stod(fields[15])) / ticks_per_second;  // utime, stime
    out.threads = std::stod(fields[20]);
    out.start_time_seconds = boot_time_seconds + std::stod(fields[22]) / ticks_per_second;
    out.virtual_bytes = std::stod(fields[23]);
    out.resident_bytes = std::stod(fields[24]) * page_size;
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

std::shared_ptr<prometheus::Collectable> MakeProcessCollector(const std::string& service) {
  return std::make_shared<ProcessCollector>(service);
}

const char* BuildRevision() { return HERALD_BUILD_REVISION; }
const char* BuildVersion() { return HERALD_BUILD_VERSION; }

}  // namespace herald
