#include "worker_processes.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <vector>

#include "ca/error.h"

namespace pocketca::cli {
namespace {

// Writes all of `text` to `fd`; false once the reader is gone.
bool write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

[[noreturn]] void run_worker(int worker, int fd,
                             const std::function<void(int, const std::function<void(const Json&)>&)>& work) {
  int status = 0;
  try {
    work(worker, [fd](const Json& message) {
      if (!write_all(fd, message.dump() + '\n')) throw Error(ErrorKind::storage, "the batch's main process is gone");
    });
  } catch (const std::exception& e) {
    write_all(fd, Json{{"fatal", e.what()}}.dump() + '\n');
    status = 1;
  }
  ::close(fd);
  std::fflush(nullptr);
  ::_exit(status);  // not exit(): the parent's atexit handlers and static objects are not the worker's
}

}  // namespace

void run_in_workers(int workers, const std::function<void(int, const std::function<void(const Json&)>&)>& work,
                    const std::function<void(const Json&)>& receive) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  struct Worker {
    pid_t pid;
    int fd;
    std::string pending;  // bytes after the last complete line
  };
  std::vector<Worker> running;
  for (int w = 0; w < workers; ++w) {
    int fds[2];
    if (::pipe(fds) != 0) throw Error(ErrorKind::storage, std::string("cannot create a pipe: ") + std::strerror(errno));
    const pid_t pid = ::fork();
    if (pid < 0) throw Error(ErrorKind::storage, std::string("cannot start a worker: ") + std::strerror(errno));
    if (pid == 0) {
      ::close(fds[0]);
      for (const Worker& other : running) ::close(other.fd);
      run_worker(w, fds[1], work);
    }
    ::close(fds[1]);
    running.push_back({pid, fds[0], {}});
  }

  std::vector<pollfd> polled;
  for (const Worker& w : running) polled.push_back({w.fd, POLLIN, 0});
  size_t open = running.size();
  char buffer[65536];
  while (open > 0) {
    if (::poll(polled.data(), polled.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorKind::storage, std::string("waiting for workers failed: ") + std::strerror(errno));
    }
    for (size_t i = 0; i < polled.size(); ++i) {
      if (polled[i].fd < 0 || polled[i].revents == 0) continue;
      const ssize_t n = ::read(polled[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(polled[i].fd);
        polled[i].fd = -1;
        --open;
        continue;
      }
      std::string& pending = running[i].pending;
      pending.append(buffer, static_cast<size_t>(n));
      for (size_t end; (end = pending.find('\n')) != std::string::npos; pending.erase(0, end + 1)) {
        receive(Json::parse(pending.substr(0, end)));
      }
    }
  }
  for (const Worker& w : running) {
    int status = 0;
    while (::waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status)) receive(Json{{"fatal", "a worker process ended abnormally (signal)"}});
  }
}

}  // namespace pocketca::cli
