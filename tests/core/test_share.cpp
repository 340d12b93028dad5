// core::share (src/share.h): recipients, redaction, attachment cleaning, numbering and audit,
// each refusal with its typed code and nothing numbered or audited when refused.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "src/receive.h"
#include "src/share.h"
#include "tests/core/sharing_vaults.h"

using namespace fieldnotes;
using namespace fieldnotes::core;
using fieldnotes::test::SharingVaults;

namespace {

std::vector<std::string> audit_operations(vault::Vault& v) {
  auto log = v.audit_log();
  REQUIRE(log.is_ok());
  std::vector<std::string> operations;
  for (const auto& e : *log) operations.push_back(e.operation);
  return operations;
}

// Attaches `bytes` to the record through a RAM file, as `fieldnotes attach` does from a file.
void attach(vault::Vault& v, int64_t record_id, const std::vector<uint8_t>& bytes, const std::string& name,
            const std::string& type) {
  auto ram = RamFile::create();
  REQUIRE(ram.is_ok());
  REQUIRE(ram->write_all_and_rewind(bytes).is_ok());
  REQUIRE(v.attach(record_id, ram->fd(), name, type).is_ok());
}

ShareOptions to_bob(int64_t record_id) {
  ShareOptions options;
  options.record_ids = {record_id};
  options.to = {"Bob"};
  return options;
}

}  // namespace

TEST_CASE("share: numbered and audited bundles, redacted unless full") {
  SharingVaults vaults;
  auto redacted = share(*vaults.alice, to_bob(vaults.record_id));
  REQUIRE(redacted.is_ok());
  CHECK(redacted->sequence == 1);
  CHECK(redacted->uncleaned.empty());
  ShareOptions full_options = to_bob(vaults.record_id);
  full_options.full = true;
  auto full = share(*vaults.alice, full_options);
  REQUIRE(full.is_ok());
  CHECK(full->sequence == 2);
  auto operations = audit_operations(*vaults.alice);
  CHECK(std::count(operations.begin(), operations.end(), "share") == 1);
  CHECK(std::count(operations.begin(), operations.end(), "share-full") == 1);

  auto first = receive(*vaults.bob, redacted->file, {});
  REQUIRE(first.is_ok());
  auto second = receive(*vaults.bob, full->file, {});
  REQUIRE(second.is_ok());
  CHECK_FALSE(second->redacted);
  auto redacted_record = vaults.bob->get_record(first->record_ids[0]);
  auto full_record = vaults.bob->get_record(second->record_ids[0]);
  REQUIRE((redacted_record.is_ok() && full_record.is_ok()));
  CHECK(redacted_record->body.view().find("555-01-23") == std::string::npos);
  CHECK(full_record->body.view().find(test::kTestimony) != std::string::npos);
}

TEST_CASE("share: refusals carry their codes, and nothing is numbered or audited") {
  SharingVaults vaults;
  const auto audited = audit_operations(*vaults.alice);
  auto refused = [&](const ShareOptions& options, ShareError expected) {
    auto r = share(*vaults.alice, options);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.failure().error == expected);
    CHECK(audit_operations(*vaults.alice) == audited);
    return r.failure();
  };
  SECTION("not exactly one of contacts and a passphrase, or no records: kInvalidOptions") {
    ShareOptions none;
    none.record_ids = {vaults.record_id};
    refused(none, ShareError::kInvalidOptions);
    auto pass = test::secret_of("p");
    ShareOptions both = to_bob(vaults.record_id);
    both.passphrase = &pass;
    refused(both, ShareError::kInvalidOptions);
    ShareOptions empty = to_bob(vaults.record_id);
    empty.record_ids.clear();
    refused(empty, ShareError::kInvalidOptions);
  }
  SECTION("a name that is not a contact: kUnknownContact") {
    ShareOptions options = to_bob(vaults.record_id);
    options.to = {"Bob", "Nobody"};
    ShareFailure failure = refused(options, ShareError::kUnknownContact);
    CHECK(failure.status.code() == Code::kNotFound);
    CHECK(failure.status.message() == "no contact \"Nobody\"");
  }
  SECTION("a record that does not exist: kRecordUnreadable") {
    ShareFailure failure = refused(to_bob(vaults.record_id + 100), ShareError::kRecordUnreadable);
    CHECK(failure.status.code() == Code::kNotFound);
  }
  SECTION("an attachment that cannot be cleaned: kAttachmentNotCleaned, unless its type is included") {
    attach(*vaults.alice, vaults.record_id, {'s', 'e', 'c', 'r', 'e', 't'}, "notes.bin", "other");
    ShareOptions options = to_bob(vaults.record_id);
    auto r = share(*vaults.alice, options);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.failure().error == ShareError::kAttachmentNotCleaned);
    CHECK(r.failure().attachment_type == "other");
    CHECK(r.status().code() == Code::kRefused);
    auto operations = audit_operations(*vaults.alice);  // the extraction is audited, the share is not
    CHECK(std::count(operations.begin(), operations.end(), "share") == 0);

    options.include_uncleaned = {"other"};
    auto included = share(*vaults.alice, options);
    REQUIRE(included.is_ok());
    CHECK(included->sequence == 1);  // the refusal above used no number
    REQUIRE(included->uncleaned.size() == 1);
    CHECK(included->uncleaned[0].name == "notes.bin");
    CHECK(included->uncleaned[0].type == "other");
    auto received = receive(*vaults.bob, included->file, {});
    REQUIRE(received.is_ok());
    auto attachments = vaults.bob->attachments(received->record_ids[0]);
    REQUIRE(attachments.is_ok());
    REQUIRE(attachments->size() == 1);
    CHECK((*attachments)[0].type == "other");
    CHECK((*attachments)[0].size == 6);
  }
}
