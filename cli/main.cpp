// fieldnotes: an encrypted field-notes vault for human-rights lawyers.
// main() hardens the process, checks the SQLCipher link, and dispatches to one command per file.
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>

#include <iostream>

#include "cli/common.h"
#include "crypto/secret.h"
#include "vault/db.h"

using namespace fieldnotes::cli;

namespace {

void harden_process() {
  // No core dumps: a crash must not write keys or testimony to disk.
  struct rlimit rl {0, 0};
  setrlimit(RLIMIT_CORE, &rl);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  umask(077);
  // A reader that goes away (`fieldnotes extract ... | head`) must give EPIPE and a clean
  // error, not kill the process mid-write.
  signal(SIGPIPE, SIG_IGN);
}

}  // namespace

int main(int argc, char** argv) {
  harden_process();
  if (!fieldnotes::crypto::init()) {
    print_error("cannot initialise libsodium", "");
    return kExitIo;
  }
  std::string versions;
  if (!fieldnotes::vault::linked_against_sqlcipher(&versions)) {
    // With plain SQLite, PRAGMA key is silently ignored and testimony would be written in
    // plaintext. Refuse to start.
    print_error("this fieldnotes is linked against plain SQLite, not SQLCipher (" + versions + ")",
                "rebuild it; 'ldd fieldnotes' must list libsqlcipher and no libsqlite3");
    return kExitIo;
  }

  CLI::App app{"fieldnotes: an encrypted field-notes vault"};
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions& g = globals();
  app.add_option("--vault", g.vault, "vault directory (default $FIELDNOTES_VAULT, else $XDG_DATA_HOME/fieldnotes/default)");
  app.add_option("--passphrase-fd", g.passphrase_fd, "read the passphrase from this file descriptor");
  app.add_option("--recovery-key-fd", g.recovery_key_fd, "unlock with the recovery key read from this file descriptor");
  app.add_flag("--json", g.json, "machine-readable output");
  app.add_flag("-q,--quiet", g.quiet, "no warnings or progress");

  // In this order, so that --help lists the commands as it always has.
  register_init(app);
  register_passwd(app);
  register_recovery(app);
  register_panic(app);
  register_add(app);
  register_list(app);
  register_search(app);
  register_shred(app);
  register_verify(app);
  register_log(app);
  register_edit(app);
  register_person(app);
  register_redact(app);
  register_export(app);
  register_identity(app);
  register_contact(app);
  register_share(app);
  register_receive(app);
  register_attach(app);
  register_backup(app);
  register_restore(app);
  for (CLI::App* sub : app.get_subcommands({})) {
    sub->fallthrough();
    for (CLI::App* subsub : sub->get_subcommands({})) subsub->fallthrough();
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(e.what(), "see 'fieldnotes --help'");
    return kExitUsage;
  } catch (const Failure& f) {
    print_error(f.error, f.hint);
    return f.exit_code;
  } catch (const std::bad_alloc&) {
    print_error("out of memory", "");
    return kExitIo;
  } catch (const std::exception& e) {
    print_error(std::string("unexpected failure: ") + e.what(), "");
    return kExitIo;
  }
  return kExitOk;
}
