#include "work_pool.h"

#include <algorithm>

namespace pocketca {

WorkPool::WorkPool(int threads) {
  for (int t = 0; t < threads; ++t) threads_.emplace_back([this] { serve(); });
}

WorkPool::~WorkPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  queued_.notify_all();
  for (std::thread& t : threads_) t.join();
}

std::shared_ptr<WorkPool::Job> WorkPool::run(size_t n, std::function<void(size_t)> work, CallerHelps helps) {
  auto job = std::make_shared<Job>();
  job->work_ = std::move(work);
  job->count_ = n;
  job->helps_ = helps;
  if (n == 0) return job;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(job);
  }
  queued_.notify_all();
  return job;
}

void WorkPool::run_next_item(std::unique_lock<std::mutex>& lock, size_t position) {
  const std::shared_ptr<Job> job = queue_[position];
  const size_t item = job->started_++;
  if (job->started_ == job->count_) queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(position));
  lock.unlock();
  std::exception_ptr failure;
  try {
    job->work_(item);
  } catch (...) {
    failure = std::current_exception();
  }
  lock.lock();
  if (failure && !job->failure_) job->failure_ = failure;
  if (++job->finished_ == job->count_) finished_.notify_all();
}

void WorkPool::wait(Job& job) {
  std::unique_lock lock(mutex_);
  while (job.finished_ < job.count_) {
    const auto helpable =
        std::find_if(queue_.begin(), queue_.end(), [](const auto& queued) { return queued->helps_ == CallerHelps::yes; });
    if (helpable != queue_.end()) {
      run_next_item(lock, static_cast<size_t>(helpable - queue_.begin()));
    } else {
      finished_.wait(lock);
    }
  }
  if (job.failure_) std::rethrow_exception(job.failure_);
}

void WorkPool::serve() {
  std::unique_lock lock(mutex_);
  for (;;) {
    queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing is left to do
    // Jobs only the pool runs come first: the waiting thread can take on the others itself.
    const auto own = std::find_if(queue_.begin(), queue_.end(),
                                  [](const auto& queued) { return queued->helps_ == CallerHelps::no; });
    run_next_item(lock, own == queue_.end() ? 0 : static_cast<size_t>(own - queue_.begin()));
  }
}

}  // namespace pocketca
