// Export renderers: records as Markdown, plain text or JSON, passed through the redaction
// engine unless the caller asks for the full text. Fail-closed: no redaction session, no
// redacted output.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "src/redact/engine.h"
#include "vault/vault.h"

namespace fieldnotes::core {

enum class ExportFormat { kMarkdown, kText, kJson };

// Renders `records`. With `session` non-null, every free-text field (title, case, tags,
// linked people, body) passes through it; with null, the full text is rendered.
// The result is wiped when freed (base/plaintext.h).
Plaintext render_export(const std::vector<vault::Record>& records, ExportFormat format,
                        redact::Session* session);

// Builds the register for the engine from the vault's people.
Result<std::vector<redact::PersonEntry>> load_register(vault::Vault& v);

}  // namespace fieldnotes::core
