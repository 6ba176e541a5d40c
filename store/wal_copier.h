#pragma once
// Copies a database's WAL back into it on a thread and connection of its own, while another
// connection goes on writing. A batch's recording thread then only appends to the WAL: in a
// large database every certificate dirties pages of its own (random serial and thumbprint
// keys), and copying them back inline was a fifth of that thread's time.
//
// The copies are PASSIVE checkpoints: they never wait for, or block, the writer, and copy what
// was committed when they started. While the writer keeps committing, the WAL file still grows
// until the writer's own checkpoint truncates it, but that one then has little left to copy.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace SQLite {
class Database;
}

namespace pocketca::store {

class WalCopier {
 public:
  // Opens its own connection to the database at `path`, which must already be in WAL mode.
  explicit WalCopier(const std::string& path);
  // Lets a copy in progress finish, then closes the connection.
  ~WalCopier();
  WalCopier(const WalCopier&) = delete;
  WalCopier& operator=(const WalCopier&) = delete;

  // Asks for a copy soon; returns at once. Requests made while one runs make one more.
  void request();

 private:
  void serve();

  std::unique_ptr<SQLite::Database> db_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;
  bool stopping_ = false;
  std::thread thread_;  // started by the constructor once the connection is set up
};

}  // namespace pocketca::store
