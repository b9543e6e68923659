#include "support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace herald::testing {

namespace {

// Starts argv with its output in log_path. The child gets SIGKILL when the
// test process dies, however it dies (a crash, ctest's timeout): nothing
// outlives its test. The kernel sends that signal when the *thread* that
// forked exits, so every child is forked by one thread that lives as long as
// the process.
class Spawner {
 public:
  static Spawner& Instance() {
    static Spawner* spawner = new Spawner();  // never destroyed: its thread lives to the end
    return *spawner;
  }
  pid_t Spawn(char* const* argv, char* const* envp, const std::string& log_path) {
    std::lock_guard one_at_a_time(serial_);
    std::unique_lock lock(mu_);
    job_ = Job{argv, envp, log_path.c_str(), 0, 0, false};
    has_job_ = true;
    cv_.notify_all();
    cv_.wait(lock, [this] { return job_.done; });
    has_job_ = false;
    cv_.notify_all();
    errno = job_.error;
    return job_.pid;
  }

 private:
  struct Job {
    char* const* argv;
    char* const* envp;
    const char* log_path;
    pid_t pid;
    int error;
    bool done;
  };
  Spawner() {
    std::thread([this] { Loop(); }).detach();
  }
  void Loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return has_job_ && !job_.done; });
      job_.pid = ForkExec(job_.argv, job_.envp, job_.log_path, getpid());
      job_.error = job_.pid < 0 ? errno : 0;
      job_.done = true;
      cv_.notify_all();
    }
  }
  // Only async-signal-safe calls between fork and exec (the test is threaded).
  static pid_t ForkExec(char* const* argv, char* const* envp, const char* log_path, pid_t parent) {
    int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);  // the test died before prctl
      // Signals blocked in the test (gtest threads) must not stay blocked in the child.
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      dup2(fd, 1);
      dup2(fd, 2);
      execve(argv[0], argv, envp);
      _exit(127);
    }
    close(fd);
    return pid;
  }
  std::mutex serial_;
  std::mutex mu_;
  std::condition_variable cv_;
  Job job_{};
  bool has_job_ = false;
};

}  // namespace

pid_t SpawnDying(char* const* argv, char* const* envp, const std::string& log_path) {
  return Spawner::Instance().Spawn(argv, envp, log_path);
}

Process::Process(std::string name, std::vector<std::string> argv, std::map<std::string, std::string> env,
                 std::string log_path)
    : name_(std::move(name)), log_path_(std::move(log_path)) {
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (!env.count(kv.substr(0, kv.find('=')))) envs.push_back(kv);
  }
  for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (auto& e : envs) cenv.push_back(e.data());
  cenv.push_back(nullptr);

  pid_ = SpawnDying(cargv.data(), cenv.data(), log_path_);
  if (pid_ < 0) throw std::runtime_error("spawn " + argv[0] + ": " + std::strerror(errno));
}

Process::~Process() { Kill(); }

Process::Process(Process&& o) noexcept : name_(std::move(o.name_)), log_path_(std::move(o.log_path_)), pid_(o.pid_) {
  o.pid_ = -1;
}

Process& Process::operator=(Process&& o) noexcept {
  if (this != &o) {
    Kill();
    name_ = std::move(o.name_);
    log_path_ = std::move(o.log_path_);
    pid_ = o.pid_;
    o.pid_ = -1;
  }
  return *this;
}

bool Process::running() const {
  if (pid_ <= 0) return false;
  int status;
  return waitpid(pid_, &status, WNOHANG) == 0;
}

void Process::Signal(int sig) const {
  if (pid_ > 0) ::kill(pid_, sig);
}

int Process::Stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill();
  return -1;
}

void Process::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string Process::LogTail(size_t bytes) const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

namespace {

// Test binaries run side by side (ctest -j2), each starting a dozen servers:
// a port found free must also not be handed to anyone else before its server
// binds it. /tmp/herald-test-ports/<port> names the process that took it; a
// port whose holder has exited is free again.
bool Reserve(int port) {
  static const std::string dir = [] {
    mkdir("/tmp/herald-test-ports", 0777);
    return std::string("/tmp/herald-test-ports");
  }();
  std::string path = dir + "/" + std::to_string(port);
  for (int round = 0; round < 2; ++round) {
    int fd = open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0666);
    if (fd >= 0) {
      std::string pid = std::to_string(getpid());
      bool written = write(fd, pid.data(), pid.size()) == static_cast<ssize_t>(pid.size());
      close(fd);
      return written;
    }
    std::ifstream in(path);
    pid_t holder = 0;
    in >> holder;
    if (holder > 0 && (kill(holder, 0) == 0 || errno == EPERM)) return false;  // still running
    unlink(path.c_str());  // its holder is gone
  }
  return false;
}

}  // namespace

int FreePort() {
  // Outside the kernel's ephemeral range (32768-60999 here), so an outgoing
  // connection of a parallel test cannot take a port a restarted server needs.
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int> pick(20000, 32000);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    int port = pick(rng);
    if (!Reserve(port)) continue;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (free) return port;
  }
  throw std::runtime_error("no free port in 20000-32000");
}

bool WaitForPort(int port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

std::string BinaryDir() { return HERALD_BINARY_DIR; }

}  // namespace herald::testing
