#include "context.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fcntl.h>
#include <iostream>
#include <memory>
#include <string_view>
#include <termios.h>
#include <unistd.h>

#include "ca/error.h"
#include "ca/files.h"

namespace pocketca::cli {
namespace {

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Asks on the controlling terminal with echo off; Error naming `alternative` when there is no terminal.
std::string prompt_no_echo(const std::string& prompt, const std::string& what, const std::string& alternative) {
  const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) throw Error(ErrorKind::invalid_input, what + " is needed and there is no terminal to ask on: " + alternative);
  termios saved{};
  const bool is_terminal = ::tcgetattr(tty, &saved) == 0;
  if (is_terminal) {
    termios silent = saved;
    silent.c_lflag &= static_cast<tcflag_t>(~ECHO);
    ::tcsetattr(tty, TCSAFLUSH, &silent);
  }
  (void)!::write(tty, prompt.data(), prompt.size());
  std::string answer;
  char c = 0;
  while (::read(tty, &c, 1) == 1 && c != '\n') answer += c;
  if (is_terminal) ::tcsetattr(tty, TCSAFLUSH, &saved);
  (void)!::write(tty, "\n", 1);
  ::close(tty);
  if (!answer.empty() && answer.back() == '\r') answer.pop_back();
  return answer;
}

std::string secret_from_file(const std::string& file) {
  const std::string secret = first_line(read_file(file, 64 * 1024));
  if (secret.empty()) throw Error(ErrorKind::invalid_input, "the first line of " + file + " is empty");
  return secret;
}

std::string ask_secret(const std::string& what, const std::string& alternative, bool confirm) {
  std::string label = what;
  label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
  const std::string secret = prompt_no_echo((confirm ? "New " + what : label) + ": ", "a " + what, alternative);
  if (secret.empty()) throw Error(ErrorKind::invalid_input, "the " + what + " is empty");
  if (confirm && prompt_no_echo("Repeat the " + what + ": ", "a " + what, alternative) != secret) {
    throw Error(ErrorKind::invalid_input, "the two entries of the " + what + " differ; nothing was written");
  }
  return secret;
}

std::string read_passphrase(const GlobalOptions& global, bool confirm) {
  if (!global.passphrase_file.empty()) return secret_from_file(global.passphrase_file);
  if (const char* env = std::getenv("POCKETCA_PASSPHRASE"); env != nullptr && *env != '\0') return env;
  return ask_secret("CA key passphrase", "give --passphrase-file FILE or set POCKETCA_PASSPHRASE", confirm);
}

}  // namespace

std::string actor_or_os_user(const std::string& named) { return named.empty() ? os_user_name() : named; }

bool confirm(const std::string& question) {
  const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) return false;
  const std::string prompt = question + " [y/N] ";
  (void)!::write(tty, prompt.data(), prompt.size());
  std::string answer;
  char c = 0;
  while (::read(tty, &c, 1) == 1 && c != '\n') answer += c;
  ::close(tty);
  return answer == "y" || answer == "Y" || answer == "yes";
}

std::string read_secret(const std::string& file, const std::string& what, const std::string& option, bool confirm) {
  if (!file.empty()) return secret_from_file(file);
  return ask_secret(what, "give " + option + " FILE", confirm);
}

std::string shell_quoted(const std::string& text) {
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("._/+-=:,@%").find(static_cast<char>(c)) != std::string_view::npos;
  });
  if (plain) return text;
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string pocketca_invocation(const GlobalOptions& global) {
  return global.home.empty() ? "pocketca" : "pocketca --home " + shell_quoted(global.home);
}

std::filesystem::path resolve_home(const GlobalOptions& global) {
  if (!global.home.empty()) return global.home;
  if (const char* env = std::getenv("POCKETCA_HOME"); env != nullptr && *env != '\0') return env;
  return "pki";
}

PassphraseSource passphrase_source(const GlobalOptions& global, bool confirm) {
  auto cached = std::make_shared<std::optional<std::string>>();
  return [global, confirm, cached]() {
    if (!*cached) *cached = read_passphrase(global, confirm);
    return **cached;
  };
}

void print_text(const GlobalOptions& global, const std::string& text) {
  if (global.quiet || global.json) return;
  std::cout << text;
  std::cout.flush();
}

void print_json(const Json& document) { std::cout << document.dump(2) << '\n'; }

void print_warnings(const std::vector<std::string>& warnings) {
  for (const auto& warning : warnings) std::cerr << "warning: " << warning << '\n';
}

}  // namespace pocketca::cli
