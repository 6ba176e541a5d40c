#include <algorithm>
#include <cctype>

#include "ca/error.h"
#include "ca/serial.h"
#include "certificate_views.h"
#include "commands.h"

namespace pocketca::cli {
namespace {

struct ShowArgs {
  std::string any;
  std::optional<int64_t> id;
  std::string serial;
  std::string thumbprint;
};

bool all_of_class(const std::string& s, int (*pred)(int)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [pred](unsigned char c) { return pred(c) != 0; });
}

std::string ca_name_of(Home& home, std::optional<int64_t> index) {
  if (!index) return "";
  const auto ca = home.store().find_ca(*index);
  return ca ? ca->name : "";
}

// A bare argument: 40 hex digits is a thumbprint, up to 10 decimal digits a request ID, anything else a serial.
void classify(ShowArgs& args) {
  args.thumbprint = without_copy_marks(args.thumbprint);
  if (args.any.empty()) return;
  args.any = without_copy_marks(args.any);
  std::string compact = args.any;
  std::erase_if(compact, [](char c) { return c == ':' || c == ' '; });
  if (compact.size() == 40 && all_of_class(compact, isxdigit)) {
    args.thumbprint = compact;
  } else if (args.any.size() <= 10 && all_of_class(args.any, isdigit)) {
    args.id = std::stoll(args.any);
  } else {
    args.serial = args.any;
  }
}

void run_show(const GlobalOptions& global, ShowArgs args) {
  classify(args);
  Home home = Home::open(resolve_home(global));
  std::optional<store::CertificateRecord> cert;
  std::string what;
  if (args.id) {
    cert = home.store().find_certificate_by_request(*args.id);
    what = "request " + std::to_string(*args.id);
  } else if (!args.serial.empty()) {
    cert = home.store().find_certificate_by_serial(normalize_serial(args.serial));
    what = "certificate with serial " + args.serial;
  } else {
    // As the Windows certificate dialog shows it ("b5 b9 …") or Get-ExchangeCertificate does.
    std::string upper = args.thumbprint;
    std::erase_if(upper, [](char c) { return c == ':' || c == ' '; });
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    if (upper.size() != 40 || !all_of_class(upper, isxdigit)) {
      throw pocketca::Error(ErrorKind::invalid_input, "thumbprint \"" + args.thumbprint +
                                                          "\" is not 40 hex digits (a SHA-1 thumbprint, as Get-ExchangeCertificate prints it)");
    }
    cert = home.store().find_certificate_by_thumbprint(upper);
    what = "certificate with thumbprint " + args.thumbprint;
  }
  const int64_t request_id = cert ? cert->request_id : args.id.value_or(0);
  const auto request = request_id != 0 ? home.store().find_request(request_id) : std::nullopt;
  if (!cert && !request) throw pocketca::Error(ErrorKind::not_found, "there is no " + what + " in this CA home");
  const Time at = now();
  if (global.json) {
    Json j = cert ? certificate_json(*cert, ca_name_of(home, cert->ca_index), at)
                  : request_json(*request, ca_name_of(home, request->ca_index));
    if (cert && request) {
      j["requester"] = request->requester;
      j["windows_attributes"] = request_json(*request, "")["windows_attributes"];
    }
    print_json(j);
    return;
  }
  std::string text;
  if (cert) text += certificate_details(*cert, ca_name_of(home, cert->ca_index), at) + "\n";
  if (request) text += request_details(*request, ca_name_of(home, request->ca_index));
  print_text(global, text);
}

}  // namespace

void setup_show(CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<ShowArgs>();
  CLI::App* cmd = app.add_subcommand("show", "Show one request or certificate in full");
  auto* any = cmd->add_option("ID|SERIAL|THUMBPRINT", args->any,
                              "40 hex digits: thumbprint; up to 10 digits: request ID; else a serial");
  auto* id = cmd->add_option("--id", args->id, "Request ID")->type_name("ID");
  auto* serial = cmd->add_option("--serial", args->serial, "Serial (any case, colons allowed)")->type_name("SERIAL");
  auto* thumb = cmd->add_option("--thumbprint", args->thumbprint, "SHA-1 thumbprint")->type_name("HEX");
  any->excludes(id)->excludes(serial)->excludes(thumb);
  id->excludes(serial)->excludes(thumb);
  serial->excludes(thumb);
  cmd->callback([&global, args] {
    // Not count_all(): global options that fall through to the subcommand count there too.
    if (args->any.empty() && !args->id && args->serial.empty() && args->thumbprint.empty()) {
      throw CLI::RequiredError("ID, SERIAL or THUMBPRINT");
    }
    run_show(global, *args);
  });
}

}  // namespace pocketca::cli
