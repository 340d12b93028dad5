#include "src/redact/morphology.h"

#include <algorithm>
#include <initializer_list>

namespace fieldnotes::redact::morph {

namespace {

using U = std::u32string;

bool ends(const U& s, std::u32string_view suf) {
  return s.size() >= suf.size() && std::u32string_view(s).substr(s.size() - suf.size()) == suf;
}

U cut(const U& s, std::size_t n) { return s.substr(0, s.size() >= n ? s.size() - n : 0); }

void add_all(std::vector<U>& out, const U& stem, std::initializer_list<std::u32string_view> ends_list) {
  for (auto e : ends_list) out.push_back(stem + U(e));
}

bool is_vowel(char32_t c) {
  return std::u32string_view(U"аеёиоуыэюяіїєaeiouy").find(c) != std::u32string_view::npos;
}

bool is_hush(char32_t c) {  // ж ш ч щ ц: instrumental in -ем
  return std::u32string_view(U"жшчщц").find(c) != std::u32string_view::npos;
}

void dedupe(std::vector<U>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// Forms of a masculine noun ending in a consonant (Иван, Жук, Гнатюк), both languages.
void consonant_noun(std::vector<U>& out, const U& s) {
  add_all(out, s, {U"", U"а", U"у", U"ом", U"ем", U"е", U"ові", U"еві", U"і", U"ы", U"и"});
}

void a_noun(std::vector<U>& out, const U& stem, bool possessive = false) {  // Саша, Зима, Микола
  add_all(out, stem, {U"а", U"ы", U"и", U"е", U"у", U"ой", U"ей", U"ою", U"ею", U"і", U"о"});
  if (possessive) add_all(out, stem, {U"ин", U"ина", U"ину", U"иной", U"ины", U"иных"});
  // Ukrainian dative/locative with the consonant change: Вероніка -> Вероніці, Ольга -> Ользі.
  if (!stem.empty()) {
    const char32_t c = stem.back();
    const U base = stem.substr(0, stem.size() - 1);
    if (c == U'к') out.push_back(base + U"ці");
    else if (c == U'г') out.push_back(base + U"зі");
    else if (c == U'х') out.push_back(base + U"сі");
  }
}

void ya_noun(std::vector<U>& out, const U& stem, bool possessive = false) {  // Юлия, Коля, Наталья
  add_all(out, stem, {U"я", U"и", U"е", U"ю", U"ей", U"ею", U"і", U"ї", U"єю", U"є"});
  if (possessive) add_all(out, stem, {U"ин", U"ина", U"ину", U"иной", U"ины", U"иных"});
}

void adjectival(std::vector<U>& out, const U& stem) {
  add_all(out, stem, {U"ий", U"ый", U"ой", U"ого", U"его", U"ому", U"ему", U"им", U"ым", U"ом", U"ем",
                      U"ая", U"яя", U"ей", U"ую", U"юю", U"ою", U"ею", U"ие", U"ые", U"их", U"ых",
                      U"ими", U"ыми", U"а", U"ої", U"ій", U"у", U"ім", U"і", U"ьому", U"ього"});
}

void ov_forms(std::vector<U>& out, const U& stem) {  // stem = орехов / ладыгин
  add_all(out, stem, {U"", U"а", U"у", U"ым", U"им", U"ом", U"е", U"ой", U"ою", U"ы", U"ых", U"их",
                      U"ыми", U"ими", U"ої", U"ій", U"ові", U"і"});
}

}  // namespace

std::vector<U> given_forms(const U& s, bool possessive) {
  std::vector<U> out;
  if (s.empty()) return out;
  out.push_back(s);
  if (ends(s, U"ий") || ends(s, U"ій") || ends(s, U"ия") || ends(s, U"ія")) {
    const U st = cut(s, 2);
    add_all(out, st, {U"ий", U"ия", U"ию", U"ием", U"ии", U"ій", U"ія", U"ію", U"ієм", U"ієві", U"ії",
                      U"иею", U"ией", U"ією", U"ієй"});
  } else if (s.back() == U'й') {
    const U st = cut(s, 1);
    add_all(out, st, {U"й", U"я", U"ю", U"ем", U"е", U"єві", U"ї", U"ї", U"єм"});
  } else if (s.back() == U'ь') {
    const U st = cut(s, 1);
    add_all(out, st, {U"ь", U"я", U"ю", U"ем", U"е", U"і", U"еві", U"ю"});
  } else if (s.back() == U'а') {
    a_noun(out, cut(s, 1), possessive);
  } else if (s.back() == U'я') {
    ya_noun(out, cut(s, 1), possessive);
  } else if (s.back() == U'о' || s.back() == U'o') {
    const U st = cut(s, 1);
    add_all(out, st, {U"о", U"а", U"у", U"ом", U"ові", U"е"});
  } else if (!is_vowel(s.back())) {
    consonant_noun(out, s);
    // Fleeting vowel: Павел -> Павла, Лев -> Льва, Марек -> Марка.
    const char32_t v = s.size() >= 3 ? s[s.size() - 2] : 0, last = s.back();
    if (((v == U'е' || v == U'ё') && (last == U'л' || last == U'в' || last == U'к' || last == U'ц')) ||
        (v == U'о' && last == U'к')) {
      U f = s.substr(0, s.size() - 2);
      f.push_back(s.back());
      add_all(out, f, {U"а", U"у", U"ом", U"е", U"ові", U"і"});
    }
    // Ukrainian і/о alternation: Гліб -> Гліба (kept), Антін -> Антона.
    // Diminutive suffix forms: Вадик -> Вадика are regular.
    if (is_hush(s.back())) out.push_back(s + U"ем");
  }
  dedupe(out);
  return out;
}

std::vector<U> patronymic_forms(const U& s) {
  std::vector<U> out;
  if (s.empty()) return out;
  out.push_back(s);
  if (ends(s, U"ич")) {
    add_all(out, s, {U"а", U"у", U"ем", U"е", U"ом", U"еві", U"і"});
  } else if (ends(s, U"на")) {
    const U st = cut(s, 1);
    add_all(out, st, {U"а", U"ы", U"и", U"е", U"у", U"ой", U"ою", U"і"});
    U uk;
    if (ends(s, U"овна")) uk = cut(s, 4) + U"івна";
    else if (ends(s, U"евна")) uk = cut(s, 4) + (cut(s, 4).empty() || !is_vowel(cut(s, 4).back()) ? U"івна" : U"ївна");
    else if (ends(s, U"івна") || ends(s, U"ївна")) uk = cut(s, 4) + U"овна";
    if (!uk.empty()) {
      out.push_back(uk);
      add_all(out, cut(uk, 1), {U"ы", U"и", U"е", U"у", U"ой", U"ою", U"і"});
    }
  } else {
    consonant_noun(out, s);
  }
  dedupe(out);
  return out;
}

std::vector<U> surname_forms(const U& s, std::vector<U>* primary) {
  std::vector<U> out;
  if (s.empty()) return out;
  if (primary) primary->push_back(s);
  if (ends(s, U"енко") || ends(s, U"ко") || ends(s, U"ых") || ends(s, U"их") || ends(s, U"аго") ||
      ends(s, U"яго") || ends(s, U"дзе") || ends(s, U"швили") || ends(s, U"ово") || ends(s, U"ии") ||
      (!s.empty() && (s.back() == U'е' || s.back() == U'и' || s.back() == U'у' || s.back() == U'ю' ||
                      s.back() == U'э' || s.back() == U'о'))) {
    out.push_back(s);
  } else if (ends(s, U"ский") || ends(s, U"цкий") || ends(s, U"ской") || ends(s, U"цкой") ||
             ends(s, U"ський") || ends(s, U"цький") || ends(s, U"ый") || ends(s, U"ий") ||
             ends(s, U"ой") || ends(s, U"ая") || ends(s, U"яя") || ends(s, U"ская") || ends(s, U"ська")) {
    const U st = (ends(s, U"ська") || ends(s, U"цька")) ? cut(s, 1) : cut(s, 2);
    adjectival(out, st);
    if (ends(s, U"ськ") || ends(st, U"ськ") || ends(st, U"цьк")) {
      U ru = st;  // Український -> русский spelling without the soft sign
      ru.erase(std::remove(ru.begin(), ru.end(), U'ь'), ru.end());
      adjectival(out, ru);
    }
    if (primary) {
      const bool fem = ends(s, U"ая") || ends(s, U"яя") || ends(s, U"ська");
      if (fem) add_all(*primary, st, {U"ая", U"ой", U"ую", U"а", U"ої", U"ій", U"у", U"ою"});
      else add_all(*primary, st, {U"ий", U"ый", U"ого", U"ому", U"им", U"ым", U"ом"});
    }
  } else if (ends(s, U"ова") || ends(s, U"ева") || ends(s, U"ёва") || ends(s, U"ина") || ends(s, U"ына") ||
             ends(s, U"іна") || ends(s, U"єва") || ends(s, U"ьова")) {
    const U st = cut(s, 1);
    ov_forms(out, st);
    if (primary) add_all(*primary, st, {U"а", U"ой", U"у", U"ою", U"ої", U"ій"});
  } else if (ends(s, U"ов") || ends(s, U"ев") || ends(s, U"ёв") || ends(s, U"ин") || ends(s, U"ын") ||
             ends(s, U"єв") || ends(s, U"ьов") || ends(s, U"ін")) {
    ov_forms(out, s);
    if (primary) add_all(*primary, s, {U"", U"а", U"у", U"ым", U"им", U"ом", U"е", U"ові", U"і"});
  } else if (s.back() == U'а') {
    a_noun(out, cut(s, 1));
  } else if (s.back() == U'я') {
    ya_noun(out, cut(s, 1));
  } else if (s.back() == U'ь') {
    add_all(out, cut(s, 1), {U"ь", U"я", U"ю", U"ем", U"е", U"і", U"еві"});
  } else if (s.back() == U'й') {
    add_all(out, cut(s, 1), {U"й", U"я", U"ю", U"ем", U"е", U"єві", U"ї"});
  } else if (!is_vowel(s.back())) {
    consonant_noun(out, s);
    if (ends(s, U"ец") && s.size() > 3) {
      U f = cut(s, 2) + U"ц";
      add_all(out, f, {U"а", U"у", U"ом", U"ем", U"е", U"ові", U"і"});
    }
    if (ends(s, U"ок") && s.size() > 3) {
      U f = cut(s, 2) + U"к";
      add_all(out, f, {U"а", U"у", U"ом", U"е", U"ові", U"і"});
    }
  } else {
    out.push_back(s);
  }
  out.push_back(s);
  dedupe(out);
  if (primary) dedupe(*primary);
  return out;
}

bool looks_like_patronymic(const U& w) {
  static const std::u32string_view kStems[] = {U"ович", U"евич", U"ьич", U"йович", U"ійович", U"ич",
                                               U"овна", U"евна", U"ична", U"івна", U"ївна",
                                               U"ovich", U"evich", U"ovych", U"ovna", U"evna", U"ichna", U"ivna",
                                               U"yevich", U"ievich", U"yevna", U"ievna"};
  static const std::u32string_view kEnds[] = {U"", U"а", U"у", U"ем", U"е", U"ом", U"еві", U"ы", U"и", U"ой",
                                              U"ою", U"і", U"a", U"u", U"em", U"e", U"y", U"oi", U"oy", U"ei"};
  for (auto e : kEnds) {
    if (!ends(w, e)) continue;
    const U st = cut(w, e.size());
    for (auto p : kStems) {
      if (p == U"ич") continue;
      if (ends(st, p) && st.size() >= p.size() + 2) {
        // -ична only after a name stem of 3+ letters; -вич needs the -ов-/-ев- linker.
        return true;
      }
    }
  }
  return false;
}

bool patronymic_in_any_case(const U& w) {
  if (looks_like_patronymic(w)) return true;
  for (const std::u32string_view e : {U"ой", U"ою", U"е", U"ы", U"у", U"і", U"и"}) {
    if (w.size() > e.size() + 4 && ends(w, e)) return looks_like_patronymic(cut(w, e.size()) + U"а");
  }
  return false;
}

bool is_adjectival_sky(const U& w) {
  static const std::u32string_view kStems[] = {U"ск", U"цк", U"ськ", U"цьк", U"sk", U"ck"};
  static const std::u32string_view kEnds[] = {U"ий", U"ый", U"ой", U"ого", U"ому", U"им", U"ым", U"ом", U"ая",
                                              U"ую", U"ою", U"ей", U"ие", U"их", U"ых", U"ими", U"а", U"ої", U"ій",
                                              U"у", U"ім", U"і", U"ьому", U"ього", U"iy", U"ii", U"y", U"i", U"aya",
                                              U"aia", U"oi", U"ogo", U"omu", U"yi", U"ij", U"a"};
  for (auto e : kEnds) {
    if (!ends(w, e)) continue;
    const U st = cut(w, e.size());
    for (auto p : kStems)
      if (ends(st, p) && st.size() >= p.size() + 2) return true;
  }
  return false;
}

int surname_shape(const U& w) {
  if (w.size() < 4) return 0;
  if (is_adjectival_sky(w)) return 2;
  // Cyrillic.
  static const std::u32string_view kStrongStems[] = {U"ов", U"ев", U"ёв", U"єв", U"ьов", U"ин", U"ын", U"ін"};
  static const std::u32string_view kOvEnds[] = {U"", U"а", U"у", U"ым", U"им", U"ом", U"е", U"ой", U"ою", U"ы",
                                                U"ых", U"их", U"ыми", U"ої", U"ій", U"ові", U"і"};
  for (auto e : kOvEnds) {
    if (!ends(w, e)) continue;
    const U st = cut(w, e.size());
    for (auto p : kStrongStems)
      if (ends(st, p) && st.size() >= p.size() + 2) return (p == U"ин" || p == U"ын" || p == U"ін") ? 2 : 3;
  }
  static const std::u32string_view kStrongFixed[] = {U"енко", U"швили", U"дзе", U"чук", U"чука", U"чуку", U"чуком",
                                                     U"юк", U"юка", U"юку", U"юком", U"ян", U"яна", U"яну", U"яном",
                                                     U"enko", U"shvili", U"dze", U"chuk", U"yuk", U"iuk"};
  for (auto p : kStrongFixed)
    if (ends(w, p)) return 2;
  // Latin -ov/-ev/-ova/-eva/-ovs.
  static const std::u32string_view kLatStrong[] = {U"ov", U"ev", U"ova", U"eva", U"ovs", U"evs", U"yov", U"yova",
                                                    U"iov", U"iova", U"ovy", U"ykh", U"ikh", U"ovich", U"evich"};
  for (auto p : kLatStrong)
    if (ends(w, p) && w.size() >= p.size() + 3) return 3;
  static const std::u32string_view kWeak[] = {U"ук", U"ука", U"уку", U"уком", U"ак", U"ака", U"аку", U"аком",
                                              U"ик", U"ика", U"ику", U"иком", U"ко", U"ец", U"ца", U"цу", U"ич",
                                              U"ича", U"ичу", U"ичем", U"ых", U"их", U"ян", U"уш", U"ош",
                                              U"арь", U"аря", U"арю", U"арем", U"ець", U"ця", U"цю", U"цем",
                                              U"ів", U"ик", U"ика", U"ику",
                                              U"in", U"ina", U"yn", U"yna", U"uk", U"ak", U"ik", U"yk", U"ko", U"ich",
                                              U"ych", U"ets", U"yan", U"ian", U"ins"};
  for (auto p : kWeak)
    if (ends(w, p) && w.size() >= p.size() + 3) return 1;
  return 0;
}

}  // namespace fieldnotes::redact::morph
