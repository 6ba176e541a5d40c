#pragma once
// A fixed set of threads that run jobs of many independent items, in the order the jobs
// were handed over (those a waiting caller may help with last). `submit --batch` keeps one: its threads sign (and check) the next
// groups while the calling thread records the previous one, so the database and the
// signatures overlap instead of taking turns.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace pocketca {

class WorkPool {
 public:
  class Job;
  // Whether a thread waiting in wait() may run the job's items itself meanwhile.
  enum class CallerHelps : bool { no, yes };

  // At least one thread: a job its caller may not help with is run by the pool's threads only.
  explicit WorkPool(int threads);
  // Drops the items no thread has started and waits for the running ones: declare a pool
  // after what its jobs refer to, so it goes first.
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues work(i) for every i in [0, n), to run after the jobs queued before it — except
  // that the pool's threads take jobs the caller may not help with first.
  // The returned job is waited on with wait(); n = 0 is a job already done.
  [[nodiscard]] std::shared_ptr<Job> run(size_t n, std::function<void(size_t)> work,
                                         CallerHelps helps = CallerHelps::no);

  // Blocks until every item of `job` ran, meanwhile running items of queued jobs that
  // allow it on this thread; rethrows the first exception an item of `job` threw.
  void wait(Job& job);

 private:
  // Claims the next item of queue_[position], runs it unlocked, and counts it finished.
  void run_next_item(std::unique_lock<std::mutex>& lock, size_t position);
  void serve();

  std::mutex mutex_;
  std::condition_variable queued_;
  std::condition_variable finished_;
  std::deque<std::shared_ptr<Job>> queue_;  // jobs with items not started yet
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

class WorkPool::Job {
  friend class WorkPool;
  std::function<void(size_t)> work_;
  size_t count_ = 0;
  size_t started_ = 0;
  size_t finished_ = 0;
  CallerHelps helps_ = CallerHelps::no;
  std::exception_ptr failure_;
};

}  // namespace pocketca
