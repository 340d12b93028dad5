// Metadata cleaner: contract in src/clean.h.
//
// exiv2 0.27 and qpdf report errors by throwing; every exception stops in this file and becomes
// a kRefused Status that says why (STYLE.md rule 2).
#include "src/clean.h"

#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <exiv2/exiv2.hpp>
#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFWriter.hh>

namespace fieldnotes::core {
namespace {

using Bytes = std::vector<uint8_t>;

bool starts_with(std::span<const uint8_t> b, std::size_t at, std::string_view magic) {
  return b.size() >= at + magic.size() && std::memcmp(b.data() + at, magic.data(), magic.size()) == 0;
}

Status refused(AttachmentType t, const std::string& why) {
  return {Code::kRefused, std::string("cannot clean the ") + type_name(t) + " attachment: " + why};
}

void init_exiv2_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);  // exiv2 would otherwise write to stderr
    Exiv2::XmpParser::initialize();                // required once before threads use XMP
  });
}

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

// --- JPEG: keep only what decoding needs --------------------------------------------------------

Result<Bytes> jpeg_whitelist(const Bytes& in) {
  const auto bad = [](const char* why) {
    return Status{Code::kRefused, std::string("cannot clean the jpeg attachment: ") + why};
  };
  if (in.size() < 4 || in[0] != 0xFF || in[1] != 0xD8) return bad("no start-of-image marker");
  Bytes out = {0xFF, 0xD8};
  std::size_t i = 2;
  bool frame = false, scan = false;
  for (;;) {
    // Markers may be preceded by 0xFF fill bytes.
    if (i >= in.size() || in[i] != 0xFF) return bad("malformed segment structure");
    while (i < in.size() && in[i] == 0xFF) ++i;
    if (i >= in.size()) return bad("truncated before end-of-image");
    const uint8_t m = in[i++];
    if (m == 0xD9) {  // EOI: anything after it (trailers, MPF images) is dropped
      if (!frame || !scan) return bad("no image data");
      out.push_back(0xFF);
      out.push_back(0xD9);
      return out;
    }
    if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {  // TEM and stray RSTn carry no length
      out.push_back(0xFF);
      out.push_back(m);
      continue;
    }
    if (m == 0x00 || m == 0xD8) return bad("malformed segment structure");
    if (i + 2 > in.size()) return bad("truncated segment");
    const std::size_t len = be16(&in[i]);
    if (len < 2 || i + len > in.size()) return bad("truncated segment");
    const uint8_t* body = &in[i + 2];
    const std::size_t body_len = len - 2;
    const auto body_is = [&](std::string_view id) {
      return body_len >= id.size() && std::memcmp(body, id.data(), id.size()) == 0;
    };
    bool keep = false;
    if (m == 0xE0) {
      // JFIF: keep the 14-byte header (density), dropping any thumbnail. JFXX (thumbnails) go.
      if (body_is(std::string_view("JFIF\0", 5)) && body_len >= 14) {
        const uint8_t hdr[] = {0xFF, 0xE0, 0x00, 16};
        out.insert(out.end(), hdr, hdr + 4);
        out.insert(out.end(), body, body + 12);
        out.push_back(0);  // no thumbnail: width 0
        out.push_back(0);  // height 0
      }
    } else if (m == 0xE2) {
      keep = body_is(std::string_view("ICC_PROFILE\0", 12));  // not MPF, not FlashPix
    } else if (m == 0xEE) {
      keep = body_is("Adobe");  // colour transform flag, needed to decode CMYK/YCCK right
    } else if ((m >= 0xE1 && m <= 0xEF) || m == 0xFE) {
      keep = false;  // EXIF, XMP, IPTC, maker APPn, comments
    } else {
      keep = true;  // DQT, DHT, DAC, DRI, DNL, SOFn, SOS, ...
    }
    if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) frame = true;
    if (keep) {
      out.push_back(0xFF);
      out.push_back(m);
      out.insert(out.end(), &in[i], &in[i] + len);
    }
    i += len;
    if (m == 0xDA) {  // SOS: copy the entropy-coded data up to the next real marker
      if (!frame) return bad("scan before frame header");
      scan = true;
      const std::size_t start = i;
      while (i + 1 < in.size()) {
        if (in[i] == 0xFF && in[i + 1] != 0x00 && !(in[i + 1] >= 0xD0 && in[i + 1] <= 0xD7) &&
            in[i + 1] != 0xFF)
          break;
        ++i;
      }
      if (i + 1 >= in.size()) return bad("truncated scan data");
      out.insert(out.end(), in.begin() + static_cast<long>(start), in.begin() + static_cast<long>(i));
    }
  }
}

// --- PNG: keep only what decoding needs ---------------------------------------------------------

Result<Bytes> png_whitelist(const Bytes& in) {
  const auto bad = [](const char* why) {
    return Status{Code::kRefused, std::string("cannot clean the png attachment: ") + why};
  };
  static const uint8_t kSig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (in.size() < 8 || std::memcmp(in.data(), kSig, 8) != 0) return bad("bad signature");
  // Rendering and animation chunks; text (tEXt zTXt iTXt), eXIf, tIME, sPLT names and every
  // private or unknown ancillary chunk (e.g. C2PA caBX, Apple iDOT) are dropped.
  static const char* const kKeep[] = {"IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM",
                                      "sRGB", "iCCP", "sBIT", "bKGD", "pHYs", "hIST", "cICP",
                                      "acTL", "fcTL", "fdAT"};
  Bytes out(in.begin(), in.begin() + 8);
  std::size_t i = 8;
  bool first = true;
  while (true) {
    if (i + 12 > in.size()) return bad("truncated chunk (no IEND)");
    const uint32_t len = be32(&in[i]);
    if (len > in.size() - i - 12) return bad("truncated chunk");
    const char* type = reinterpret_cast<const char*>(&in[i + 4]);
    for (int k = 0; k < 4; ++k) {
      const char c = type[k];
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return bad("malformed chunk type");
    }
    if (first && std::memcmp(type, "IHDR", 4) != 0) return bad("IHDR is not the first chunk");
    first = false;
    bool keep = false;
    for (const char* k : kKeep) keep = keep || std::memcmp(type, k, 4) == 0;
    if (!keep && type[0] >= 'A' && type[0] <= 'Z')
      return bad("unknown critical chunk (the image could not be shown without it)");
    if (keep) out.insert(out.end(), in.begin() + static_cast<long>(i),
                         in.begin() + static_cast<long>(i + 12 + len));
    i += 12 + len;
    if (std::memcmp(type, "IEND", 4) == 0) return out;  // trailing data is dropped
  }
}

// --- Images through exiv2 ----------------------------------------------------------------------

Result<Bytes> clean_image(std::span<const uint8_t> data, AttachmentType type) {
  init_exiv2_once();
  Bytes cleaned;
  try {
    // exiv2 works on a copy of its own: the caller's buffer is never handed to it.
    const Bytes copy(data.begin(), data.end());
    Exiv2::Image::AutoPtr image =
        Exiv2::ImageFactory::open(copy.data(), static_cast<long>(copy.size()));
    if (image.get() == nullptr) return refused(type, "exiv2 does not recognise the file");
    image->readMetadata();
    image->clearExifData();   // GPS, serial numbers, maker notes, dates, thumbnails (IFD1)
    image->clearIptcData();
    image->clearXmpPacket();
    image->clearXmpData();
    image->clearComment();
    image->writeXmpFromPacket(false);
    image->writeMetadata();
    Exiv2::BasicIo& io = image->io();
    if (io.open() != 0) return refused(type, "exiv2 could not reopen its output");
    const long size = static_cast<long>(io.size());
    Exiv2::DataBuf buf = io.read(size);
    io.close();
    if (buf.size_ != size) return refused(type, "exiv2 returned a short output");
    cleaned.assign(buf.pData_, buf.pData_ + buf.size_);
  } catch (const Exiv2::AnyError& e) {
    return refused(type, std::string("exiv2 cannot parse it: ") + e.what());
  } catch (const std::exception& e) {
    return refused(type, std::string("exiv2 failed: ") + e.what());
  } catch (...) {
    return refused(type, "exiv2 failed with an unknown error");
  }
  // Defence in depth for the two formats whose structure is simple enough to whitelist.
  if (type == AttachmentType::kJpeg) return jpeg_whitelist(cleaned);
  if (type == AttachmentType::kPng) return png_whitelist(cleaned);
  return cleaned;
}

// --- PDF through qpdf ---------------------------------------------------------------------------

Result<Bytes> clean_pdf(std::span<const uint8_t> data) {
  try {
    QPDF pdf;
    pdf.setSuppressWarnings(true);
    pdf.processMemoryFile("attachment", reinterpret_cast<const char*>(data.data()), data.size());
    pdf.getTrailer().removeKey("/Info");
    // The /ID's first string is meant to be permanent, so qpdf would keep it: it can link this
    // copy to the original. Dropped, qpdf writes a new one computed from the cleaned content.
    pdf.getTrailer().removeKey("/ID");
    // /Metadata (XMP) may hang off the catalog, pages, images, fonts, any stream or dictionary.
    for (QPDFObjectHandle obj : pdf.getAllObjects()) {
      QPDFObjectHandle dict = obj.isStream() ? obj.getDict() : obj;
      if (!dict.isDictionary()) continue;
      dict.removeKey("/Metadata");
      dict.removeKey("/PieceInfo");  // application private data (creator tool state)
      dict.removeKey("/LastModified");
      // Markup annotations (comments, highlights) name their author in /T and date themselves;
      // form fields (/Widget) use /T for the field name, which the form needs.
      QPDFObjectHandle subtype = dict.getKey("/Subtype");
      if (subtype.isName() && subtype.getName() != "/Widget" && dict.hasKey("/Rect") &&
          (dict.getKey("/Type").isNull() || dict.getKey("/Type").isNameAndEquals("/Annot"))) {
        dict.removeKey("/T");
        dict.removeKey("/M");
        dict.removeKey("/CreationDate");
      }
    }
    pdf.getRoot().removeKey("/Metadata");
    QPDFWriter w(pdf);
    w.setOutputMemory();
    w.setPreserveEncryption(false);
    w.setDeterministicID(true);  // a new /ID from the content: the old one can link copies
    w.write();
    std::shared_ptr<Buffer> out = w.getBufferSharedPointer();
    return Bytes(out->getBuffer(), out->getBuffer() + out->getSize());
  } catch (const std::exception& e) {
    return refused(AttachmentType::kPdf, std::string("qpdf cannot parse it: ") + e.what());
  } catch (...) {
    return refused(AttachmentType::kPdf, "qpdf failed with an unknown error");
  }
}

}  // namespace

AttachmentType detect_type(std::span<const uint8_t> head) {
  if (head.size() >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
    return AttachmentType::kJpeg;
  if (starts_with(head, 0, "\x89PNG\r\n\x1a\n")) return AttachmentType::kPng;
  if (starts_with(head, 0, std::string_view("II*\0", 4)) ||
      starts_with(head, 0, std::string_view("MM\0*", 4)))
    return AttachmentType::kTiff;
  if (starts_with(head, 0, "RIFF") && starts_with(head, 8, "WEBP")) return AttachmentType::kWebp;
  if (starts_with(head, 4, "ftyp")) {
    for (const char* brand : {"heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs",
                              "mif1", "msf1"})
      if (starts_with(head, 8, brand)) return AttachmentType::kHeic;
  }
  // PDF readers accept the header anywhere in the first KiB; so does qpdf.
  const std::size_t n = std::min<std::size_t>(head.size(), 1024);
  const std::string_view text(reinterpret_cast<const char*>(head.data()), n);
  if (text.find("%PDF-") != std::string_view::npos) return AttachmentType::kPdf;
  return AttachmentType::kOther;
}

const char* type_name(AttachmentType t) {
  switch (t) {
    case AttachmentType::kJpeg: return "jpeg";
    case AttachmentType::kPng: return "png";
    case AttachmentType::kTiff: return "tiff";
    case AttachmentType::kWebp: return "webp";
    case AttachmentType::kHeic: return "heic";
    case AttachmentType::kPdf: return "pdf";
    case AttachmentType::kOther: return "other";
  }
  return "other";
}

Result<std::vector<uint8_t>> clean_attachment(std::span<const uint8_t> data,
                                              AttachmentType* type_out) {
  const AttachmentType type = detect_type(data);
  if (type_out) *type_out = type;
  if (data.size() > kMaxCleanBytes)
    return Status{Code::kInvalidInput, "attachment is larger than 512 MiB: too large to clean"};
  switch (type) {
    case AttachmentType::kJpeg:
    case AttachmentType::kPng:
    case AttachmentType::kTiff:
    case AttachmentType::kWebp:
      return clean_image(data, type);
    case AttachmentType::kPdf:
      return clean_pdf(data);
    case AttachmentType::kHeic:
      return refused(type, "exiv2 0.27 cannot write heic files (convert it to jpeg first)");
    case AttachmentType::kOther:
      break;
  }
  return refused(type, "not an image or pdf that fieldnotes knows how to clean");
}

}  // namespace fieldnotes::core
