// Runs a program as a child process for integration tests: optional stdin text, extra or
// removed environment variables, a working directory and a timeout; returns the exit code and
// everything it wrote to stdout and stderr.
//
// Header-only on purpose: tests/CMakeLists.txt builds the integration binary from the
// *_test.cc files only, so a helper .cc beside them would not be compiled.
//
// Not thread-safe with respect to other code that forks or changes SIGPIPE handling: the
// first call sets SIGPIPE to "ignore" in the calling process (a child that exits before
// reading its stdin must not kill the test), and the child gets the default back.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

extern char** environ;

namespace memd::testutil {

struct ProcessOptions {
  // Written to the child's stdin, which is then closed. The child's stdin is always a pipe
  // (empty when this is empty), never the test's terminal.
  std::string stdin_text;
  // Variables set (or replaced) in the child's environment, which otherwise is the parent's.
  std::map<std::string, std::string> set_env;
  // Variables removed from the child's environment.
  std::vector<std::string> unset_env;
  // The child's working directory; empty: the parent's.
  std::string working_dir;
  // The child is killed with SIGKILL when it runs longer than this.
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
};

struct ProcessResult {
  // The exit status; 128 + N when killed by signal N; -1 when it could not be started.
  int exit_code = -1;
  std::string out;  // everything written to stdout
  std::string err;  // everything written to stderr
  bool timed_out = false;
  // Why the process could not be started (fork/exec/pipe failure, with errno text); empty
  // when it ran.
  std::string start_error;
};

namespace run_process_internal {

inline void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// KEY=VALUE strings of the parent's environment with the options applied.
inline std::vector<std::string> ChildEnvironment(const ProcessOptions& options) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    std::size_t eq = entry.find('=');
    if (eq == std::string::npos) continue;
    env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& name : options.unset_env) env.erase(name);
  for (const auto& [name, value] : options.set_env) env[name] = value;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [name, value] : env) out.push_back(name + "=" + value);
  return out;
}

}  // namespace run_process_internal

// Runs argv[0] (looked up in PATH when it has no '/') with arguments argv[1..].
// Blocks until the child exits and both of its output pipes are closed, or until the
// timeout (then the child is killed and timed_out is set).
inline ProcessResult RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options = {}) {
  using run_process_internal::CloseFd;
  ProcessResult result;
  if (argv.empty()) {
    result.start_error = "RunProcess: empty argv";
    return result;
  }
  ::signal(SIGPIPE, SIG_IGN);

  // Everything the child needs is built before fork: the child only calls async-signal-safe
  // functions.
  std::vector<std::string> env_strings = run_process_internal::ChildEnvironment(options);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> arg_strings = argv;
  std::vector<char*> args;
  for (auto& s : arg_strings) args.push_back(s.data());
  args.push_back(nullptr);

  int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, exec_pipe[2] = {-1, -1};
  auto close_all = [&] {
    for (int* p : {in_pipe, out_pipe, err_pipe, exec_pipe}) {
      CloseFd(p[0]);
      CloseFd(p[1]);
    }
  };
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0 ||
      ::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    result.start_error = std::string("pipe: ") + std::strerror(errno);
    close_all();
    return result;
  }

  const pid_t pid = ::fork();
  if (pid < 0) {
    result.start_error = std::string("fork: ") + std::strerror(errno);
    close_all();
    return result;
  }
  if (pid == 0) {  // child
    ::signal(SIGPIPE, SIG_DFL);
    if (::dup2(in_pipe[0], STDIN_FILENO) < 0 || ::dup2(out_pipe[1], STDOUT_FILENO) < 0 ||
        ::dup2(err_pipe[1], STDERR_FILENO) < 0 ||
        (!options.working_dir.empty() && ::chdir(options.working_dir.c_str()) != 0)) {
      int e = errno;
      (void)!::write(exec_pipe[1], &e, sizeof(e));
      ::_exit(127);
    }
    ::execvpe(args[0], args.data(), envp.data());
    int e = errno;
    (void)!::write(exec_pipe[1], &e, sizeof(e));
    ::_exit(127);
  }

  // Parent.
  CloseFd(in_pipe[0]);
  CloseFd(out_pipe[1]);
  CloseFd(err_pipe[1]);
  CloseFd(exec_pipe[1]);
  int exec_errno = 0;
  if (::read(exec_pipe[0], &exec_errno, sizeof(exec_errno)) == static_cast<ssize_t>(sizeof(exec_errno))) {
    result.start_error = "cannot run " + argv[0] + ": " + std::strerror(exec_errno);
  }
  CloseFd(exec_pipe[0]);

  for (int fd : {in_pipe[1], out_pipe[0], err_pipe[0]}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  std::size_t written = 0;
  if (options.stdin_text.empty()) CloseFd(in_pipe[1]);
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  char buffer[1 << 16];
  while (out_pipe[0] >= 0 || err_pipe[0] >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd fds[3];
    int n = 0;
    auto add = [&](int fd, short events) {
      if (fd >= 0) fds[n++] = pollfd{fd, events, 0};
    };
    add(in_pipe[1], POLLOUT);
    add(out_pipe[0], POLLIN);
    add(err_pipe[0], POLLIN);
    int ready = ::poll(fds, n, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in_pipe[1]) {
        ssize_t w = ::write(in_pipe[1], options.stdin_text.data() + written, options.stdin_text.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == options.stdin_text.size()) CloseFd(in_pipe[1]);
        continue;
      }
      int& fd = fds[i].fd == out_pipe[0] ? out_pipe[0] : err_pipe[0];
      std::string& sink = fds[i].fd == out_pipe[0] ? result.out : result.err;
      ssize_t r = ::read(fd, buffer, sizeof(buffer));
      if (r > 0) {
        sink.append(buffer, static_cast<std::size_t>(r));
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        CloseFd(fd);
      }
    }
  }
  close_all();

  // Reap the child; one that closed its output but keeps running is killed at the deadline.
  int status = 0;
  while (true) {
    pid_t w = ::waitpid(pid, &status, result.timed_out ? 0 : WNOHANG);
    if (w == pid || (w < 0 && errno != EINTR)) break;
    if (w == 0 && std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
    } else if (w == 0) {
      ::usleep(2000);
    }
  }
  if (!result.start_error.empty()) {
    result.exit_code = -1;
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
}

}  // namespace memd::testutil
