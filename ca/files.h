#pragma once
// File writes that never leave half a file and never expose a secret.

#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace pocketca {

namespace fs = std::filesystem;

// Refuses (Error{invalid_input}) a file that could not be created at `path` — it is a folder, or
// its folder is missing, is not a folder, or is not writable — so that a command can say so
// before it signs or records anything, rather than after.
void check_can_create(const fs::path& path);

// Creates `path` with mode 0600 from the moment it exists (O_EXCL, never
// briefly readable), writes `content`, fsyncs. Throws Error{conflict} if it exists.
void write_secret_file(const fs::path& path, const std::string& content);

// Reads a secret file, refusing it (Error{insecure}) when group or others may
// read or write it, since a readable CA key is a compromised CA key.
[[nodiscard]] std::string read_secret_file(const fs::path& path);

// What a power cut right after the call may do to a written file. Either way it is written to a
// temporary name, fsynced and renamed, so nobody ever finds half of one.
enum class FileSync {
  durable,     // the folder is fsynced too, so the new file is there after a crash: keys, CA
               // certificates, CRLs
  replaceable  // the folder is not: after a crash the new file may be missing (never half
               // written). For copies of what the database holds durably (issued .cer/.p7b),
               // which `pocketca retrieve`/`export` write again; saves an fsync per file
};

// Writes to a temporary name in the same folder and renames into place, so a
// reader sees the old file or the new one, never half of one; with
// FileSync::durable also across a crash. Without `overwrite`, an existing file
// is an Error{conflict} naming --force.
void write_file_atomically(const fs::path& path, std::string_view content, bool overwrite, int mode = 0644,
                           FileSync sync = FileSync::durable);

// Files written together and made durable by one flush: a batch writing a .cer and a .p7b per
// certificate spent most of its time in fsync. Each file goes to a temporary name at add(); commit()
// flushes the file system once (syncfs) and then renames them all into place, so a crash never
// leaves half a file — files not yet committed are simply not there (their folder is not
// fsynced, as with FileSync::replaceable). Temporary files never committed are removed.
class FileBatch {
 public:
  FileBatch() = default;
  FileBatch(const FileBatch&) = delete;
  FileBatch& operator=(const FileBatch&) = delete;
  ~FileBatch();
  // Writes the temporary file now; an existing `path` without `overwrite` is Error{conflict}.
  void add(const fs::path& path, std::string_view content, bool overwrite, int mode = 0644);
  // Puts every added file in place; returns those that could not be, each with why.
  [[nodiscard]] std::vector<std::pair<fs::path, std::string>> commit();
  [[nodiscard]] size_t size() const { return staged_.size(); }

 private:
  struct Staged {
    fs::path temp;
    fs::path path;
    bool overwrite;
  };
  std::vector<Staged> staged_;
};

// Files written and flushed on a thread of their own while the caller waits on the disk for
// something else, then shown: `submit` stages its .cer and .p7b while the database commit that
// records the certificate is flushed, so the three fsyncs overlap instead of taking turns. Each
// file is written unnamed (O_TMPFILE) and fsynced; show() waits for them and gives them their
// names (the folder is not fsynced, as with FileSync::replaceable). Until then no name leads to
// them, so a process killed before its commit leaves nothing behind: a certificate the database
// does not hold must not be on disk. Where the file system has no unnamed files, show() writes
// the files itself, after the commit.
class StagedFiles {
 public:
  struct File {
    fs::path path;
    std::string content;
    bool overwrite = false;  // without, show() refuses to replace an existing `path`
    int mode = 0644;
  };
  explicit StagedFiles(std::vector<File> files);  // starts writing them
  StagedFiles(const StagedFiles&) = delete;
  StagedFiles& operator=(const StagedFiles&) = delete;
  ~StagedFiles();
  // Once: waits for the files to be written and names them; throws what writing one threw, or
  // what naming one did (the others are put in place all the same).
  void show();

 private:
  void write_all_temporaries() noexcept;

  std::vector<File> files_;
  std::vector<int> unnamed_;  // written so far, in the order of files_; -1: show() writes it
  std::exception_ptr failure_;
  std::thread writer_;
};

// Reads a whole file, refusing one larger than `max_size` bytes before reading it.
[[nodiscard]] std::string read_file(const fs::path& path, size_t max_size);

// Reads at most `max_size` bytes from the start of a file ("-" reads standard input),
// so a caller can hand an oversized input to a check that refuses it by size.
[[nodiscard]] std::string read_file_head(const fs::path& path, size_t max_size);

// Creates a folder with exactly `mode` (or checks an existing one), e.g. 0700 for private/.
void make_directory(const fs::path& path, int mode);

}  // namespace pocketca
