#pragma once
// Worker processes for `submit --batch --jobs N`. OpenSSL 3.0 parses and signs far slower on two
// threads of one process than in two processes (measured: +70% CPU for the same batch, from the
// locks and shared counters it touches for every request it decodes), so the CLI's jobs are
// processes: each opens the database itself, and SQLite serialises their group commits.

#include <functional>
#include <string>

#include "context.h"

namespace pocketca::cli {

// Runs work(worker, emit) in `workers` forked processes, worker = 0..workers-1. Each Json that a
// worker passes to emit reaches `receive` in this process, in the order that worker emitted them
// (workers interleave). A worker that throws is reported as one {"fatal": message}. Returns when
// every worker has ended. Flushes stdout and stderr first, so nothing buffered prints twice; the
// caller must hold no open database connection (a forked SQLite connection is not usable).
void run_in_workers(int workers, const std::function<void(int worker, const std::function<void(const Json&)>& emit)>& work,
                    const std::function<void(const Json&)>& receive);

}  // namespace pocketca::cli
