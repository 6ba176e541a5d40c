#include "files.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

namespace pocketca {
namespace {

[[noreturn]] void fail(const std::string& what, const fs::path& path, int err) {
  throw Error(err == EEXIST ? ErrorKind::conflict : err == ENOENT ? ErrorKind::not_found : ErrorKind::storage,
              what + " " + path.string() + ": " + std::strerror(err));
}

// Owns a file descriptor for the length of one function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// The folder a file at `path` is in ("." for a bare name).
fs::path folder_of(const fs::path& path) { return path.parent_path().empty() ? fs::path(".") : path.parent_path(); }

void write_all(int fd, std::string_view content, const fs::path& path) {
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot write", path, errno);
    done += static_cast<size_t>(n);
  }
}

void close_checked(Fd& fd, const fs::path& path) {
  if (::close(fd.release()) != 0) fail("cannot close", path, errno);
}

void sync_directory(const fs::path& dir) {
  Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());
}

std::string read_fd(int fd, const fs::path& path, size_t max_size) {
  std::string content;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot read", path, errno);
    if (n == 0) break;
    content.append(buf, static_cast<size_t>(n));
    if (content.size() > max_size) {
      throw Error(ErrorKind::invalid_input,
                  path.string() + " is larger than " + std::to_string(max_size / 1024) + " KiB; refusing to read it");
    }
  }
  return content;
}

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

void write_secret_file(const fs::path& path, const std::string& content) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR));
  if (fd.get() < 0) fail("cannot create", path, errno);
  // The umask can only narrow 0600; fchmod makes it exactly 0600 before any byte is written.
  if (::fchmod(fd.get(), S_IRUSR | S_IWUSR) != 0) fail("cannot set the mode of", path, errno);
  write_all(fd.get(), content, path);
  if (::fsync(fd.get()) != 0) fail("cannot flush", path, errno);
  close_checked(fd, path);
  sync_directory(path.parent_path());
}

std::string read_secret_file(const fs::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) fail("cannot open", path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail("cannot inspect", path, errno);
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    throw Error(ErrorKind::insecure, "key file " + path.string() + " has mode " + octal_mode(st.st_mode) +
                                         ", so others may read it; a CA key must be private: run chmod 600 " +
                                         path.string() + " (and consider the key exposed if others could read it)");
  }
  return read_fd(fd.get(), path, 1 << 20);
}

void check_can_create(const fs::path& path) {
  const fs::path folder = folder_of(path);
  std::error_code error;
  const fs::file_status status = fs::status(folder, error);
  const std::string cannot = "cannot write " + path.string() + ": ";
  if (fs::is_directory(path, error)) throw Error(ErrorKind::invalid_input, cannot + "it is a folder; name a file");
  if (!fs::exists(status)) throw Error(ErrorKind::invalid_input, cannot + "the folder " + folder.string() + " does not exist");
  if (!fs::is_directory(status)) throw Error(ErrorKind::invalid_input, cannot + folder.string() + " is not a folder");
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    throw Error(ErrorKind::invalid_input, cannot + "the folder " + folder.string() + " is not writable (" +
                                              std::strerror(errno) + ")");
  }
}

namespace {

void refuse_existing(const fs::path& path, bool overwrite) {
  if (!overwrite && fs::exists(path)) {
    throw Error(ErrorKind::conflict, path.string() + " exists; use --force to overwrite it");
  }
}

// Writes `content` to a new temporary file beside `path` and returns its name; fsyncs it if `flush`.
fs::path write_temporary(const fs::path& path, std::string_view content, int mode, bool flush) {
  // Appended piece by piece: `"." + name + ".tmp-XXXXXX"` trips GCC 12's -Wrestrict false positive at -O3.
  std::string temp_leaf = ".";
  temp_leaf += path.filename().native();
  temp_leaf += ".tmp-XXXXXX";
  std::string temp_name = (path.parent_path() / temp_leaf).string();
  Fd fd(::mkstemp(temp_name.data()));
  if (fd.get() < 0) fail("cannot create a temporary file for", path, errno);
  const fs::path temp(temp_name);
  try {
    if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) fail("cannot set the mode of", temp, errno);
    write_all(fd.get(), content, temp);
    if (flush && ::fsync(fd.get()) != 0) fail("cannot flush", temp, errno);
    close_checked(fd, temp);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  return temp;
}

// Renames `temp` to `path`; the temporary file is gone afterwards either way.
void move_into_place(const fs::path& temp, const fs::path& path, bool overwrite) {
  try {
    if (overwrite) {
      if (::rename(temp.c_str(), path.c_str()) != 0) fail("cannot move into place", path, errno);
    } else {
      // link() fails if the name appeared meanwhile: no silent overwrite in a race.
      if (::link(temp.c_str(), path.c_str()) != 0) fail("cannot create", path, errno);
      ::unlink(temp.c_str());
    }
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
}

// `content` in an unnamed file (O_TMPFILE) in `path`'s folder, fsynced; -1 where the file system
// has no unnamed files.
int write_unnamed(const fs::path& path, std::string_view content, int mode) {
  const fs::path folder = folder_of(path);
  Fd fd(::open(folder.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, static_cast<mode_t>(mode)));
  if (fd.get() < 0) {
    if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) return -1;
    fail("cannot create a temporary file for", path, errno);
  }
  if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) fail("cannot set the mode of", path, errno);
  write_all(fd.get(), content, path);
  if (::fsync(fd.get()) != 0) fail("cannot flush", path, errno);
  return fd.release();
}

// Gives the unnamed file `fd` the name `path`: linked there, or, to replace a file, linked to a
// temporary name beside it and renamed over it. False when it cannot be linked at all (no /proc).
bool name_unnamed(int fd, const fs::path& path, bool overwrite) {
  const std::string self = "/proc/self/fd/" + std::to_string(fd);
  const auto link_as = [&self](const fs::path& name) {
    return ::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0;
  };
  if (!overwrite) {
    if (link_as(path)) return true;
    if (errno == EEXIST) fail("cannot create", path, errno);
    return false;
  }
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp_leaf = ".";
    temp_leaf += path.filename().native();
    temp_leaf += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(attempt);
    const fs::path temp = path.parent_path() / temp_leaf;
    if (link_as(temp)) {
      move_into_place(temp, path, true);
      return true;
    }
    if (errno != EEXIST) return false;
  }
  fail("cannot create a temporary file for", path, EEXIST);
}

}  // namespace

void write_file_atomically(const fs::path& path, std::string_view content, bool overwrite, int mode, FileSync sync) {
  refuse_existing(path, overwrite);
  // Unnamed until complete where the file system allows: a process killed halfway leaves nothing.
  const Fd unnamed(write_unnamed(path, content, mode));
  if (unnamed.get() < 0 || !name_unnamed(unnamed.get(), path, overwrite)) {
    move_into_place(write_temporary(path, content, mode, true), path, overwrite);
  }
  if (sync == FileSync::durable) sync_directory(path.parent_path());
}

FileBatch::~FileBatch() {
  for (const Staged& s : staged_) ::unlink(s.temp.c_str());
}

void FileBatch::add(const fs::path& path, std::string_view content, bool overwrite, int mode) {
  refuse_existing(path, overwrite);
  staged_.push_back({write_temporary(path, content, mode, false), path, overwrite});
}

std::vector<std::pair<fs::path, std::string>> FileBatch::commit() {
  std::vector<std::pair<fs::path, std::string>> failed;
  std::vector<fs::path> folders;
  for (const Staged& s : staged_) {
    const fs::path folder = folder_of(s.path);
    if (std::find(folders.begin(), folders.end(), folder) == folders.end()) folders.push_back(folder);
  }
  // One flush of each file system instead of one fsync per file.
  for (const fs::path& folder : folders) {
    Fd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0 || ::syncfs(fd.get()) != 0) {
      const std::string why = std::string("cannot flush ") + folder.string() + ": " + std::strerror(errno);
      for (const Staged& s : staged_) failed.emplace_back(s.path, why);
      return failed;  // the destructor removes the temporary files: nothing half-durable is shown
    }
  }
  for (const Staged& s : staged_) {
    try {
      move_into_place(s.temp, s.path, s.overwrite);
    } catch (const Error& e) {
      failed.emplace_back(s.path, e.what());
    }
  }
  staged_.clear();
  return failed;
}

StagedFiles::StagedFiles(std::vector<File> files) : files_(std::move(files)) {
  unnamed_.reserve(files_.size());
  writer_ = std::thread([this] { write_all_temporaries(); });
}

void StagedFiles::write_all_temporaries() noexcept {
  try {
    for (const File& f : files_) unnamed_.push_back(write_unnamed(f.path, f.content, f.mode));
  } catch (...) {
    failure_ = std::current_exception();
  }
}

StagedFiles::~StagedFiles() {
  if (writer_.joinable()) writer_.join();
  for (const int fd : unnamed_) {
    if (fd >= 0) ::close(fd);  // never named: the file system frees it
  }
}

void StagedFiles::show() {
  writer_.join();
  if (failure_) std::rethrow_exception(failure_);
  std::exception_ptr first_failure;
  for (size_t i = 0; i < unnamed_.size(); ++i) {
    const File& f = files_[i];
    try {
      if (unnamed_[i] < 0 || !name_unnamed(unnamed_[i], f.path, f.overwrite)) {
        write_file_atomically(f.path, f.content, f.overwrite, f.mode, FileSync::replaceable);
      }
    } catch (...) {
      if (!first_failure) first_failure = std::current_exception();
    }
  }
  if (first_failure) std::rethrow_exception(first_failure);
}

std::string read_file(const fs::path& path, size_t max_size) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail("cannot open", path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) && static_cast<size_t>(st.st_size) > max_size) {
    throw Error(ErrorKind::invalid_input,
                path.string() + " is larger than " + std::to_string(max_size / 1024) + " KiB; refusing to read it");
  }
  return read_fd(fd.get(), path, max_size);
}

std::string read_file_head(const fs::path& path, size_t max_size) {
  Fd fd(path == "-" ? ::dup(STDIN_FILENO) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail("cannot open", path, errno);
  std::string content;
  char buf[65536];
  while (content.size() < max_size) {
    const ssize_t n = ::read(fd.get(), buf, std::min(sizeof buf, max_size - content.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot read", path, errno);
    if (n == 0) break;
    content.append(buf, static_cast<size_t>(n));
  }
  return content;
}

void make_directory(const fs::path& path, int mode) {
  if (::mkdir(path.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST) fail("cannot create", path, errno);
  // EEXIST says only that the name is taken. Opening with O_DIRECTORY checks it is a folder, and
  // fchmod changes the folder just checked, never a file that took its place in between.
  Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 && errno == ENOTDIR) {
    throw Error(ErrorKind::conflict, path.string() + " exists and is not a folder; move it out of the way");
  }
  if (fd.get() < 0) fail("cannot open", path, errno);
  if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) fail("cannot set the mode of", path, errno);
}

}  // namespace pocketca
