#include "batch_file_writer.h"

#include <map>
#include <utility>

#include "ca/error.h"

namespace pocketca::cli {

struct BatchFileWriter::Waiting {
  CertificateFiles files;
  std::vector<Certificate> chain;
  Outcome outcome;
  std::string error;  // staging failed: why
};

struct BatchFileWriter::Group {
  std::vector<Waiting> members;
  std::vector<std::pair<std::filesystem::path, std::string>> failed;  // from the flush
  std::shared_ptr<WorkPool::Job> writing;
};

BatchFileWriter::BatchFileWriter(bool force, size_t group_size)
    : force_(force), group_size_(group_size), filling_(std::make_unique<Group>()) {}

BatchFileWriter::~BatchFileWriter() = default;

void BatchFileWriter::add(CertificateFiles files, std::vector<Certificate> chain, Outcome outcome) {
  filling_->members.push_back({std::move(files), std::move(chain), std::move(outcome), ""});
  if (filling_->members.size() >= group_size_) hand_over();
}

void BatchFileWriter::finish() {
  hand_over();
  hand_over();  // the last group: reported once written
}

void BatchFileWriter::hand_over() {
  if (written_last_) report(*written_last_);
  written_last_.reset();
  if (filling_->members.empty()) return;
  Group* group = filling_.get();
  group->writing = writer_.run(group->members.size() + 1, [this, group](size_t i) {
    if (i == group->members.size()) {
      group->failed = staged_.commit();
      return;
    }
    Waiting& w = group->members[i];
    try {
      (void)stage_certificate_files(staged_, w.files, w.chain, force_);
    } catch (const Error& e) {
      w.error = e.what();
    }
  });
  written_last_ = std::move(filling_);
  filling_ = std::make_unique<Group>();
}

void BatchFileWriter::report(Group& group) {
  writer_.wait(*group.writing);
  std::map<std::string, std::string> failed;  // path → why
  for (auto& [path, why] : group.failed) failed.emplace(path.string(), why);
  for (Waiting& w : group.members) {
    std::string why = w.error;
    for (const auto* path : {&w.files.cer, &w.files.p7b}) {
      if (auto found = failed.find(path->string()); why.empty() && found != failed.end()) why = found->second;
    }
    if (why.empty()) {
      w.outcome.written();
    } else {
      w.outcome.not_written(why);
    }
  }
}

}  // namespace pocketca::cli
