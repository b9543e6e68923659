#pragma once
// Child processes for tests: output to a log file, killed (SIGKILL) when the
// handle goes out of scope unless stopped before — and by the kernel when the
// test process dies, so no server outlives a crashed or timed-out test.
#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace herald::testing {

class Process {
 public:
  Process() = default;
  Process(std::string name, std::vector<std::string> argv, std::map<std::string, std::string> env,
          std::string log_path);
  ~Process();
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;

  pid_t pid() const { return pid_; }
  bool running() const;
  void Signal(int sig) const;
  // SIGTERM, then waits; returns the exit status (or -1 if it had to be killed).
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(15));
  void Kill();
  const std::string& log_path() const { return log_path_; }
  std::string LogTail(size_t bytes = 4000) const;

 private:
  std::string name_;
  std::string log_path_;
  pid_t pid_ = -1;
};

// Forks and execs argv[0] (stdout and stderr to log_path) with the parent-death
// signal set; -1 and errno on failure.
pid_t SpawnDying(char* const* argv, char* const* envp, const std::string& log_path);

// A TCP port nobody listens on right now.
int FreePort();
// Polls until something accepts connections on 127.0.0.1:port.
bool WaitForPort(int port, std::chrono::milliseconds timeout);
// A fresh temporary directory.
std::string MakeTempDir(const std::string& prefix);
// Where the build put the binaries (set by CMake).
std::string BinaryDir();

}  // namespace herald::testing
