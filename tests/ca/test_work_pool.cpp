// WorkPool: every item runs once, jobs run in the order queued, failures come back to the
// waiter, and a waiting thread helps only with jobs that allow it.

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "ca/work_pool.h"

using pocketca::WorkPool;

TEST_CASE("a work pool runs every item of a job exactly once", "[work_pool]") {
  WorkPool pool(3);
  std::vector<std::atomic<int>> runs(1000);
  auto job = pool.run(runs.size(), [&](size_t i) { ++runs[i]; });
  pool.wait(*job);
  CHECK(std::all_of(runs.begin(), runs.end(), [](const std::atomic<int>& n) { return n == 1; }));

  auto empty = pool.run(0, [](size_t) { FAIL("an empty job ran an item"); });
  pool.wait(*empty);  // returns at once
}

TEST_CASE("a work pool starts a job's items only after the jobs queued before it", "[work_pool]") {
  WorkPool pool(1);
  std::mutex m;
  std::vector<int> order;
  auto first = pool.run(50, [&](size_t) { std::lock_guard lock(m); order.push_back(1); });
  auto second = pool.run(50, [&](size_t) { std::lock_guard lock(m); order.push_back(2); });
  pool.wait(*second);
  pool.wait(*first);
  REQUIRE(order.size() == 100);
  CHECK(std::is_sorted(order.begin(), order.end()));
}

TEST_CASE("wait rethrows what an item threw, after the job's other items ran", "[work_pool]") {
  WorkPool pool(2);
  std::atomic<int> ran{0};
  auto job = pool.run(100, [&](size_t i) {
    ++ran;
    if (i == 37) throw std::runtime_error("item 37 failed");
  });
  CHECK_THROWS_WITH(pool.wait(*job), "item 37 failed");
  CHECK(ran == 100);

  auto next = pool.run(10, [&](size_t) { ++ran; });  // the pool goes on
  pool.wait(*next);
  CHECK(ran == 110);
}

TEST_CASE("a waiting thread runs the items of jobs that allow it, and only those", "[work_pool]") {
  WorkPool pool(1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  // The pool's only thread is held by the first job until the caller has helped.
  auto held = pool.run(1, [&](size_t) { released.wait(); });
  auto not_helpable = pool.run(5, [](size_t) {});
  const auto caller = std::this_thread::get_id();
  std::atomic<int> by_caller{0};
  auto helpable = pool.run(
      20,
      [&](size_t) {
        if (std::this_thread::get_id() == caller) ++by_caller;
      },
      WorkPool::CallerHelps::yes);
  pool.wait(*helpable);  // the pool thread is held: the caller must have run all 20
  CHECK(by_caller == 20);
  release.set_value();
  pool.wait(*not_helpable);
  pool.wait(*held);
}

TEST_CASE("the pool's threads take the jobs only they may run before those a caller may help with", "[work_pool]") {
  WorkPool pool(1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto held = pool.run(1, [&](size_t) { released.wait(); });
  std::mutex m;
  std::vector<char> order;
  std::promise<void> own_done;
  std::atomic<int> own_left{10};
  auto helpable = pool.run(
      10,
      [&](size_t) {
        std::lock_guard lock(m);
        order.push_back('h');
      },
      WorkPool::CallerHelps::yes);
  auto own = pool.run(10, [&](size_t) {
    {
      std::lock_guard lock(m);
      order.push_back('o');
    }
    if (--own_left == 0) own_done.set_value();
  });
  release.set_value();
  own_done.get_future().wait();  // not pool.wait: this thread must not help meanwhile
  pool.wait(*helpable);
  pool.wait(*own);
  pool.wait(*held);
  REQUIRE(order.size() == 20);
  CHECK(std::string(order.begin(), order.begin() + 10) == std::string(10, 'o'));
}
