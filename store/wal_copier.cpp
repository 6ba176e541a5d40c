#include "wal_copier.h"

#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

namespace pocketca::store {

WalCopier::WalCopier(const std::string& path)
    : db_(std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE)) {
  // FULL: the copy fsyncs the database before it records the frames as copied back, so the
  // writer never reuses a frame whose page is not yet safe in the database file.
  db_->exec("PRAGMA synchronous = FULL");
  // Never the connection that tidies up at close: the writer's own end of batch does that.
  sqlite3_db_config(db_->getHandle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  thread_ = std::thread([this] { serve(); });
}

WalCopier::~WalCopier() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void WalCopier::request() {
  {
    std::lock_guard lock(mutex_);
    requested_ = true;
  }
  wake_.notify_one();
}

void WalCopier::serve() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return requested_ || stopping_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    // Whatever it could not copy (a frame the writer's open transaction still needs) waits
    // for the next request, or for the writer's own checkpoint at the end of the batch.
    (void)sqlite3_wal_checkpoint_v2(db_->getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
  }
}

}  // namespace pocketca::store
