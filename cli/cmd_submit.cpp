#include <chrono>
#include <cstdio>
#include <iostream>
#include <unordered_map>
#include <unordered_set>
#include <unistd.h>

#include "ca/bundle.h"
#include "ca/error.h"
#include "ca/files.h"
#include "ca/issuance.h"
#include "ca/openssl_warmup.h"
#include "ca/request_intake.h"
#include "ca/revocation.h"
#include "ca/submission.h"
#include "batch_file_writer.h"
#include "certificate_files.h"
#include "certificate_views.h"
#include "commands.h"
#include "validators.h"

namespace pocketca::cli {
namespace {

struct SubmitArgs {
  std::string request;
  std::string template_name;
  std::string ca;
  std::vector<std::string> attributes;
  std::string out;
  std::string chain;
  std::string format = "der";
  std::string requester;
  bool pending = false;
  bool force = false;
  std::vector<std::string> batch;  // --batch DIR|FILE…|-
  std::string out_dir = ".";
  int jobs = 1;
  bool no_files = false;
};

int run_submit(const GlobalOptions& global, const SubmitArgs& args) {
  const OpenSslWarmup warmup;  // while the database opens
  const std::string base = args.request == "-" ? "request" : std::filesystem::path(args.request).stem().string();
  const CertificateFiles plan = plan_certificate_files(
      {base, args.out, args.chain, args.format, args.force, args.request == "-" ? "" : args.request, "--out/--chain"});
  Home home = Home::open(resolve_home(global));
  const TemplateSet templates = TemplateSet::load(home.templates_dir());
  IssuingSession session(home, templates, passphrase_source(global, false));
  SubmitOptions options{args.template_name, args.ca,         args.attributes,
                        actor_or_os_user(args.requester), args.pending, now(),
                        {},                 args.request == "-" ? "stdin" : args.request};
  std::optional<StagedFiles> staged;  // written and flushed while the commit is
  options.before_commit = [&](const std::vector<Certificate>& chain) {
    staged.emplace(certificate_files(plan, chain, args.force));
  };
  // One byte past the cap is enough for the engine to refuse an oversized file by its size.
  SubmitResult result = session.submit(read_file_head(args.request, max_request_file_size + 1), options);
  if (result.disposition == store::Disposition::issued) {
    for (auto& warning : expired_crl_warnings(home, result.ca, options.now)) result.warnings.push_back(std::move(warning));
  }
  print_warnings(result.warnings);

  if (result.disposition == store::Disposition::pending) {
    if (global.json) {
      const auto request = home.store().find_request(result.request_id);
      Json j = request_json(*request, result.ca.name);
      j["warnings"] = result.warnings;
      print_json(j);
    } else if (!global.quiet) {
      print_text(global, "Request " + std::to_string(result.request_id) + " is pending (" + result.template_name +
                             "): approve it with `pocketca approve " + std::to_string(result.request_id) + "`\n");
    } else {
      std::cout << result.request_id << '\n';  // -q: just the ID, for scripts to approve it later
    }
    return 3;
  }
  // The certificate is committed; only now does it leave the CA.
  try {
    staged->show();
  } catch (const pocketca::Error& e) {
    throw pocketca::Error(e.kind(), files_not_written(result.request_id, e.what())).with_request_id(result.request_id);
  }
  const auto files = file_names(plan);
  const store::CertificateRecord& cert = *result.record;
  if (global.json) {
    Json j = certificate_json(cert, result.ca.name, options.now, files, result.warnings);
    j["exchange"] = exchange_steps(files.at("p7b"), cert, result.request_made_on_windows, pocketca_invocation(global));
    print_json(j);
    return 0;
  }
  const std::string chain_words = "chain: certificate + " + std::to_string(result.chain.size() - 1) + " CA certificates";
  print_text(global, "Issued " +
                         certificate_details(cert, result.ca.name, options.now,
                                             {{"files", files.at("cer") + " (certificate), " + files.at("p7b") + " (" +
                                                            chain_words + ")"}}) +
                         "\n" + exchange_steps(files.at("p7b"), cert, result.request_made_on_windows, pocketca_invocation(global)));
  return 0;
}

// --template and an --attrib CertificateTemplate that names another template contradict each
// other: a usage error, before anything is read or recorded. A display name is the same
// template ("Web Server" is WebServer), so the home's templates decide.
void check_template_choice(const GlobalOptions& global, const SubmitArgs& args) {
  if (args.template_name.empty()) return;
  std::string named;
  try {
    named = parse_attributes(args.attributes).template_name;
  } catch (const pocketca::Error&) {
    return;  // a malformed --attrib: the engine says what is wrong with it
  }
  if (named.empty()) return;
  const TemplateSet templates = TemplateSet::load(Home::open(resolve_home(global)).templates_dir());
  if (templates.find(named) != templates.find(args.template_name)) {
    throw CLI::ValidationError("--template " + args.template_name + " and --attrib CertificateTemplate:" + named +
                               " name different templates; give one");
  }
}

// --batch arguments to request files: a folder's regular files (sorted), files as
// given, "-" a list of paths on stdin, one per line.
std::vector<std::filesystem::path> batch_files(const std::vector<std::string>& args) {
  std::vector<std::filesystem::path> files;
  for (const auto& arg : args) {
    if (arg == "-") {
      for (std::string line; std::getline(std::cin, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) files.emplace_back(line);
      }
    } else if (std::filesystem::is_directory(arg)) {
      std::vector<std::filesystem::path> found;
      for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        if (entry.is_regular_file()) found.push_back(entry.path());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.emplace_back(arg);
    }
  }
  return files;
}

// "[#####-----]  1234/5000" on stderr, redrawn in place; only on a terminal.
class Progress {
 public:
  Progress(size_t total, bool enabled) : total_(total), enabled_(enabled && ::isatty(STDERR_FILENO) == 1) {}
  void step() {
    ++done_;
    if (!enabled_ || (done_ % 64 != 0 && done_ != total_)) return;
    const size_t width = 30;
    const size_t filled = total_ == 0 ? width : done_ * width / total_;
    std::cerr << "\r[" << std::string(filled, '#') << std::string(width - filled, '-') << "] " << done_ << "/" << total_
              << std::flush;
    if (done_ == total_) std::cerr << '\n';
  }

 private:
  size_t total_;
  size_t done_ = 0;
  bool enabled_;
};

// The files of a batch and, unless --no-files, the output base name of each: planned up front
// so two requests with one name never collide, whichever worker issues them.
struct BatchPlan {
  std::vector<std::filesystem::path> files;
  std::vector<std::string> bases;
};

BatchPlan plan_batch(const SubmitArgs& args) {
  BatchPlan plan{batch_files(args.batch), {}};
  std::unordered_set<std::string> planned;
  std::unordered_map<std::string, int> next_suffix;  // per stem: thousands of request.req stay linear
  for (const auto& file : plan.files) {
    std::string base;
    if (!args.no_files) {
      const std::string stem = (std::filesystem::path(args.out_dir) / file.stem()).string();
      base = stem;
      int& n = next_suffix.try_emplace(stem, 2).first->second;
      while (planned.count(base)) base = stem + "-" + std::to_string(n++);
      planned.insert(base);
    }
    plan.bases.push_back(base);
  }
  return plan;
}

// Where the files of the batch's input `i` go: into --out-dir, under the name planned for it.
FileNaming batch_naming(const SubmitArgs& args, const BatchPlan& plan, size_t i) {
  return {plan.bases[i], "", "", args.format, args.force, plan.files[i], "another --out-dir"};
}

// What became of one file of a batch.
struct InputOutcome {
  enum class Kind { issued, pending, refused };
  size_t index = 0;
  Kind kind = Kind::refused;
  std::optional<int64_t> request_id;
  std::string error;  // refused: why
  Json certificate;   // issued, with --json: its JSON object
};

// Issues every file of `plan` through `session`, and hands what became of each to `report`,
// after its files are written.
void issue_inputs(IssuingSession& session, const SubmitArgs& args, const SubmitOptions& options, bool json,
                  const BatchPlan& plan, const std::function<void(InputOutcome&&)>& report) {
  const auto refuse = [&](size_t i, const std::string& message, std::optional<int64_t> request_id) {
    report({i, InputOutcome::Kind::refused, request_id, message, {}});
  };
  size_t position = 0;
  const auto next = [&]() -> std::optional<BatchInput> {
    while (position < plan.files.size()) {
      const size_t i = position++;
      try {
        if (!args.no_files) (void)plan_certificate_files(batch_naming(args, plan, i));
        return BatchInput{std::to_string(i),
                          [&plan, i] { return read_file_head(plan.files[i], max_request_file_size + 1); },
                          plan.files[i].string()};
      } catch (const pocketca::Error& e) {
        refuse(i, e.what(), std::nullopt);  // an output file in the way is reported; the batch goes on
      }
    }
    return std::nullopt;
  };
  std::optional<BatchFileWriter> files_writer;
  if (!args.no_files) files_writer.emplace(args.force, batch_group_size);
  session.submit_batch(next, options, args.jobs, [&](BatchOutcome&& outcome) {
    const size_t i = std::stoul(outcome.name);
    if (!outcome.result) return refuse(i, outcome.error, outcome.request_id);
    const SubmitResult& r = *outcome.result;
    if (r.disposition == store::Disposition::pending) {
      return report({i, InputOutcome::Kind::pending, r.request_id, "", {}});
    }
    // The engine reports only after the group's commit: the certificate is durable, now its files.
    std::optional<CertificateFiles> files;
    std::map<std::string, std::string> paths;
    if (!args.no_files) {
      try {
        files = plan_certificate_files(batch_naming(args, plan, i));
      } catch (const pocketca::Error& e) {
        return refuse(i, files_not_written(r.request_id, e.what()), r.request_id);
      }
      paths = {{"cer", files->cer.string()}, {"p7b", files->p7b.string()}};
    }
    InputOutcome issued{i, InputOutcome::Kind::issued, r.request_id, "", {}};
    if (json) issued.certificate = certificate_json(*r.record, r.ca.name, options.now, paths, r.warnings);
    if (args.no_files) return report(std::move(issued));
    files_writer->add(std::move(*files), r.chain,
                      {[&report, issued = std::move(issued)]() mutable { report(std::move(issued)); },
                       [&refuse, i, id = r.request_id](const std::string& why) {
                         refuse(i, files_not_written(id, why), id);
                       }});
  });
  if (files_writer) files_writer->finish();
}

// A home, its templates and an issuing session on them, for a batch.
struct BatchSession {
  BatchSession(const std::filesystem::path& dir, const GlobalOptions& global)
      : home(Home::open(dir)),
        templates(TemplateSet::load(home.templates_dir())),
        session(home, templates, passphrase_source(global, false)) {}
  Home home;
  const TemplateSet templates;
  IssuingSession session;
};

int run_batch(const GlobalOptions& global, const SubmitArgs& args) {
  const BatchPlan plan = plan_batch(args);
  const std::filesystem::path home_dir = resolve_home(global);
  const SubmitOptions options{args.template_name, args.ca, args.attributes, actor_or_os_user(args.requester),
                              args.pending,       now(),   {},              ""};
  if (!args.no_files) std::filesystem::create_directories(args.out_dir);

  Progress progress(plan.files.size(), !global.quiet && !global.json);
  std::vector<Json> outcomes(plan.files.size());  // for --json, in input order
  size_t issued = 0, pending = 0, refused = 0;
  const auto tally = [&](InputOutcome&& outcome) {
    progress.step();
    const std::string file = plan.files[outcome.index].string();
    Json out;
    switch (outcome.kind) {
      case InputOutcome::Kind::refused:
        ++refused;
        out = {{"name", file}, {"error", outcome.error}};
        if (outcome.request_id) out["request_id"] = *outcome.request_id;
        std::cerr << "error: " << file << ": " << outcome.error << '\n';  // with --json too: stderr says why
        break;
      case InputOutcome::Kind::pending:
        ++pending;
        out = {{"name", file}, {"request_id", *outcome.request_id}, {"disposition", "pending"}};
        break;
      case InputOutcome::Kind::issued:
        ++issued;
        out = outcome.certificate.is_null() ? Json::object() : std::move(outcome.certificate);
        out["name"] = file;
        break;
    }
    if (global.json) outcomes[outcome.index] = std::move(out);
  };

  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> crl_warnings;
  try {
    BatchSession batch(home_dir, global);
    issue_inputs(batch.session, args, options, global.json, plan, tally);
    // Once for the batch, not per certificate: they all have the one issuer.
    if (issued > 0) crl_warnings = expired_crl_warnings(batch.home, find_ca(batch.home, args.ca), options.now);
  } catch (const pocketca::Error& e) {
    if (issued + pending + refused == 0) throw;  // e.g. a wrong passphrase: nothing happened
    throw pocketca::Error(e.kind(), "the batch stopped after " + std::to_string(issued) + " were issued: " + e.what());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  print_warnings(crl_warnings);
  if (global.json) {
    Json all = Json::array();
    for (Json& outcome : outcomes) {
      if (!outcome.is_null()) all.push_back(std::move(outcome));
    }
    print_json(all);
  } else {
    char rate[64];
    std::snprintf(rate, sizeof rate, "%.2f s, %.0f certificates/s", seconds, seconds > 0 ? issued / seconds : 0.0);
    print_text(global, "Batch: " + std::to_string(issued) + " issued, " + std::to_string(pending) + " pending, " +
                           std::to_string(refused) + " refused of " + std::to_string(plan.files.size()) + " (" + rate +
                           ")" + (args.no_files ? "; no files written (--no-files)" : "; files in " + args.out_dir) + "\n");
  }
  if (refused > 0) return 1;
  return pending > 0 ? 3 : 0;
}

}  // namespace

void setup_submit(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<SubmitArgs>();
  CLI::App* cmd = app.add_subcommand("submit", "Check and sign a PKCS#10 request (the main job)");
  auto* request = cmd->add_option("REQUEST", args->request, "Request file: PEM, Base64, DER or UTF-16 (\"-\" reads stdin)")
                      ->type_name("FILE");
  auto* batch = cmd->add_option("--batch", args->batch,
                                "Many requests in one run: folders, files, or - for a list of paths on stdin")
                    ->type_name("DIR|FILE|-")
                    ->expected(1, -1);
  request->excludes(batch);
  cmd->add_option("--out-dir", args->out_dir, "--batch: where <name>.cer/.p7b go (default: current folder)")
      ->type_name("DIR")
      ->needs(batch);
  cmd->add_option("--jobs", args->jobs, "--batch: N threads sign and check while the main thread records (1 to 64)")
      ->check(whole_number(1, 64))
      ->capture_default_str()
      ->type_name("N")
      ->needs(batch);
  cmd->add_flag("--no-files", args->no_files, "--batch: record and report only; `retrieve ID` writes files later")
      ->needs(batch);
  cmd->add_option("--template", args->template_name, "Template name or display name (default: the one the request names)")
      ->type_name("NAME");
  cmd->add_option("--ca", args->ca, "Issuing CA (default: the default issuer)")->type_name("CA");
  cmd->add_option("--attrib", args->attributes, "certreq-style attribute: \"SAN:dns=a&ipaddress=10.0.0.5\", "
                                                "\"CertificateTemplate:WebServer\"")
      ->type_name("K:V");
  cmd->add_option("--out", args->out, "Certificate file (default: <request name>.cer)")->type_name("FILE.cer")->excludes(batch);
  cmd->add_option("--chain", args->chain, "Chain file, PKCS#7 (default: <request name>.p7b)")
      ->type_name("FILE.p7b")
      ->excludes(batch);
  cmd->add_option("--format", args->format, "der or base64 (PEM) for both files")
      ->check(CLI::IsMember({"der", "base64"}))
      ->capture_default_str();
  cmd->add_option("--requester", args->requester, "Who asks, for the database and audit log (default: OS user)")
      ->type_name("NAME");
  cmd->add_flag("--pending", args->pending, "Hold the request for approval instead of issuing (exit 3)");
  cmd->add_flag("--force", args->force, "Overwrite existing output files");
  cmd->callback([&global, &exit_code, args] {
    if (args->request.empty() && args->batch.empty()) throw CLI::RequiredError("REQUEST (or --batch)");
    check_template_choice(global, *args);
    exit_code = args->batch.empty() ? run_submit(global, *args) : run_batch(global, *args);
  });
}

}  // namespace pocketca::cli
