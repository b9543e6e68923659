#pragma once
// Shared by the benchmarks: percentiles, baselines run as separate programs,
// and the table every benchmark prints.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace herald::bench {

// --name=value from the command line, or fallback.
inline int64_t Flag(int argc, char** argv, const std::string& name, int64_t fallback) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--" + name + "=", 0) == 0) return std::atoll(a.c_str() + name.size() + 3);
  }
  return fallback;
}

inline double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// Runs a shell command and returns its standard output.
inline std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  pclose(p);
  return out;
}

// CPU seconds (user + system) used so far by this process.
inline double SelfCpu() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU seconds used so far by another process (a child: broker, simulator).
inline double ProcessCpu(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  if (line.empty()) return 0;
  std::istringstream fields(line.substr(line.rfind(')') + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; fields >> f; ++i) {
    if (i == 14 || i == 15) ticks += std::atof(f.c_str());  // utime, stime
    if (i == 15) break;
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// CPU seconds used so far by Redis, from INFO cpu (any client with Command()).
template <typename Redis>
double RedisCpu(Redis& redis) {
  auto info = redis.Command({"INFO", "cpu"});
  if (!info.ok()) return 0;
  auto field = [&](const std::string& name) {
    auto pos = info->str.find(name + ":");
    return pos == std::string::npos ? 0.0 : std::atof(info->str.c_str() + pos + name.size() + 1);
  };
  return field("used_cpu_sys") + field("used_cpu_user");
}

struct Row {
  std::string what;
  std::string herald;
  std::string baseline;
  std::string baseline_is;
  std::string goal;
};

inline void PrintTable(const std::string& title, const std::vector<Row>& rows) {
  std::printf("\n%s\n\n", title.c_str());
  std::printf("| %-52s | %-16s | %-16s | %-46s | %-18s |\n", "what", "Herald", "baseline", "baseline is", "goal");
  std::printf("|%s|%s|%s|%s|%s|\n", std::string(54, '-').c_str(), std::string(18, '-').c_str(),
              std::string(18, '-').c_str(), std::string(48, '-').c_str(), std::string(20, '-').c_str());
  for (const auto& r : rows) {
    std::printf("| %-52s | %-16s | %-16s | %-46s | %-18s |\n", r.what.c_str(), r.herald.c_str(), r.baseline.c_str(),
                r.baseline_is.c_str(), r.goal.c_str());
  }
  std::printf("\n");
}

inline std::string Fmt(double v, int decimals = 0) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace herald::bench
