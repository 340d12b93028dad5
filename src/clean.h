// Metadata cleaner for attachments that leave the vault (redacted exports and shares). The sealed
// original is never touched: the cleaner works on a copy in memory and returns a new file.
//
// What is removed:
// - JPEG, PNG, TIFF, WebP (exiv2): EXIF (GPS, camera and lens serial numbers, maker notes, dates,
//   artist, software), XMP, IPTC, comments and embedded thumbnails/previews. JPEG and PNG then go
//   through a structural whitelist as well: only the segments/chunks needed to decode the image
//   are kept (JFIF without thumbnail, ICC profile, Adobe colour transform, tables, frames and
//   scans; PNG IHDR, PLTE, IDAT, IEND, rendering and animation chunks), and anything after the
//   end-of-image marker is dropped (phone trailers, MPF secondary images, C2PA, text chunks).
// - PDF (qpdf): the document Info dictionary, every /Metadata (XMP) stream at document, page and
//   object level, /PieceInfo application data, the author (/T) and dates of markup annotations
//   (comments; form fields keep their names), the original /ID; the file is rewritten, so objects only reachable
//   through earlier incremental updates are dropped; the new /ID is computed from the content.
// Kept on purpose: ICC colour profiles (needed to show colours right; a profile's own creation
// date is the profile's, not the photo's). Not looked into: images embedded inside PDFs, and
// pixels themselves (faces, visible text): that is the user's redaction, not metadata.
//
// Thread safety: clean_attachment may be called from several threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"

namespace fieldnotes::core {

enum class AttachmentType { kJpeg, kPng, kTiff, kWebp, kHeic, kPdf, kOther };

// The type by magic bytes (never by file name). `head` should be the first 32 bytes or more.
AttachmentType detect_type(std::span<const uint8_t> head);

// "jpeg", "png", "tiff", "webp", "heic", "pdf", "other".
const char* type_name(AttachmentType t);

constexpr std::size_t kMaxCleanBytes = std::size_t{512} << 20;

// Returns a copy of `data` without identifying metadata (see above). The input is never
// modified. Sets *type_out (if given) to the detected type, also on failure.
// Returns kInvalidInput over kMaxCleanBytes; kRefused for kOther, for HEIC (exiv2 0.27 cannot
// write it), and for anything exiv2 or qpdf cannot parse or that is not a well-formed JPEG/PNG
// (the message says why, e.g. "exiv2 cannot parse the jpeg: ...").
Result<std::vector<uint8_t>> clean_attachment(std::span<const uint8_t> data,
                                              AttachmentType* type_out = nullptr);

}  // namespace fieldnotes::core
