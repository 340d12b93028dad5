// Phone numbers: the digit string a number is compared by, and the checks a candidate found
// by the phone patterns must pass (a plausible length for its country code, or a valid number
// in the numbering plans of the region, by libphonenumber).
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <string>

#include "src/redact/patterns_internal.h"

namespace fieldnotes::redact::patterns {

std::string phone_digits(std::string_view phone) {
  std::string d;
  for (char c : phone)
    if (c >= '0' && c <= '9') d.push_back(c);
  if (d.size() == 11 && d[0] == '8') d[0] = '7';
  else if (d.size() == 10 && d[0] == '9') d.insert(d.begin(), '7');
  return d;
}

namespace internal {

bool phone_plausible(std::string_view m, bool plus) {
  const std::string d = phone_digits(m);
  if (plus) {
    if (d.size() < 8 || d.size() > 15) return false;
    if (d[0] == '7') return d.size() == 11;
    if (d.rfind("380", 0) == 0 || d.rfind("375", 0) == 0) return d.size() == 12;
    return true;
  }
  if (d.size() == 11 && d[0] == '7') return true;
  if (d.size() == 12 && (d.rfind("380", 0) == 0 || d.rfind("375", 0) == 0)) return true;
  // Ukrainian national format 0XX XXX XX XX.
  std::string raw;
  for (char c : m) if (c >= '0' && c <= '9') raw.push_back(c);
  if (raw.size() == 10 && raw[0] == '0') return true;
  return false;
}

// A second opinion on a phone candidate that the rule above rejected: libphonenumber's
// numbering plans for the regions of the testimony (a Ukrainian number written without its
// trunk 0, a Belarusian or Kazakh one without its country code...). It can only add a
// redaction, never remove one: it is asked only about rejected candidates.
bool phone_valid_by_plan(std::string_view m) {
  std::size_t digits = 0;
  for (char c : m) digits += (c >= '0' && c <= '9');
  if (digits < 9 || digits > 12) return false;  // dates, times and short numbers: not asked
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  const std::string text(m);
  for (const char* region : {"RU", "UA", "BY", "KZ"}) {
    PhoneNumber n;
    if (util->Parse(text, region, &n) == PhoneNumberUtil::NO_PARSING_ERROR && util->IsValidNumber(n)) return true;
  }
  return false;
}

}  // namespace internal

}  // namespace fieldnotes::redact::patterns
