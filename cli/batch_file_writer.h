#pragma once
// A batch's .cer and .p7b files, written by a thread of their own a group behind the
// database: the recording thread hands over a group of committed certificates and goes back
// to recording the next, while the writer stages each file under a temporary name and puts
// the group's in place with one flush (FileBatch). Each certificate is reported only once its
// files are there, on the thread that handed it over.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ca/certificate.h"
#include "ca/files.h"
#include "ca/work_pool.h"
#include "certificate_files.h"

namespace pocketca::cli {

class BatchFileWriter {
 public:
  // What to do once a certificate's files are in place, or could not be put there (and why).
  struct Outcome {
    std::function<void()> written;
    std::function<void(const std::string& why)> not_written;
  };

  // Overwrites existing files when `force`; a group is handed over every `group_size` certificates.
  BatchFileWriter(bool force, size_t group_size);
  BatchFileWriter(const BatchFileWriter&) = delete;
  BatchFileWriter& operator=(const BatchFileWriter&) = delete;
  ~BatchFileWriter();

  // Queues a committed certificate's files; `chain` is the certificate, then its issuers.
  void add(CertificateFiles files, std::vector<Certificate> chain, Outcome outcome);
  // Writes whatever is queued and reports every certificate handed over: the batch's last call.
  void finish();

 private:
  struct Waiting;
  struct Group;
  void hand_over();
  void report(Group& group);

  bool force_;
  size_t group_size_;
  FileBatch staged_;  // touched by the writer thread only
  std::unique_ptr<Group> filling_;
  std::unique_ptr<Group> written_last_;
  WorkPool writer_{1};  // one thread: a group's items run in order, its flush last; stops first
};

}  // namespace pocketca::cli
