#include "util/time_format.h"

#include <algorithm>
#include <chrono>

namespace memd {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::year;
using std::chrono::year_month_day;

constexpr Timestamp kMinFormattable =
    std::chrono::duration_cast<milliseconds>(
        sys_days{year{0} / std::chrono::January / 1}.time_since_epoch())
        .count();
constexpr Timestamp kMaxFormattable =
    std::chrono::duration_cast<milliseconds>(
        (sys_days{year{10000} / std::chrono::January / 1}).time_since_epoch())
        .count() -
    1;

// A cursor over the text being parsed; every read checks the end.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ == text_.size(); }
  // Reads exactly n decimal digits.
  bool Digits(int n, int* out) {
    int value = 0;
    for (int i = 0; i < n; ++i) {
      if (AtEnd() || text_[pos_] < '0' || text_[pos_] > '9') return false;
      value = value * 10 + (text_[pos_++] - '0');
    }
    *out = value;
    return true;
  }
  bool Literal(char c) {
    if (AtEnd() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  // Consumes one of the given characters and returns it, or 0.
  char OneOf(std::string_view chars) {
    if (AtEnd() || chars.find(text_[pos_]) == std::string_view::npos) return 0;
    return text_[pos_++];
  }
  // Reads one or more digits as a millisecond fraction (truncating beyond three digits).
  bool Fraction(int* millis) {
    int value = 0;
    int count = 0;
    while (!AtEnd() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      if (count < 3) value = value * 10 + (text_[pos_] - '0');
      ++count;
      ++pos_;
    }
    if (count == 0) return false;
    for (int i = count; i < 3; ++i) value *= 10;
    *millis = value;
    return true;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

Status NotRfc3339(std::string_view text) {
  constexpr std::size_t kMaxQuoted = 64;
  std::string quoted(text.substr(0, kMaxQuoted));
  if (text.size() > kMaxQuoted) quoted += "...";
  return Status::InvalidArgument("'" + quoted +
                                 "' is not an RFC 3339 timestamp; use YYYY-MM-DDTHH:MM:SS[.mmm]Z, "
                                 "an offset instead of Z (e.g. +02:00), or a date YYYY-MM-DD");
}

}  // namespace

std::string FormatRfc3339(Timestamp ms) {
  ms = std::clamp(ms, kMinFormattable, kMaxFormattable);
  std::chrono::sys_time<milliseconds> time{milliseconds{ms}};
  sys_days day = std::chrono::floor<days>(time);
  year_month_day ymd{day};
  std::chrono::hh_mm_ss<milliseconds> hms{time - day};
  // Written digit by digit: search responses format two timestamps per hit, and snprintf
  // cost more than the rest of a hit's JSON.
  std::string out = "0000-00-00T00:00:00.000Z";
  auto put = [&out](std::size_t end, unsigned value) {
    for (std::size_t i = end; value != 0; value /= 10) out[--i] = static_cast<char>('0' + value % 10);
  };
  put(4, static_cast<unsigned>(static_cast<int>(ymd.year())));
  put(7, static_cast<unsigned>(ymd.month()));
  put(10, static_cast<unsigned>(ymd.day()));
  put(13, static_cast<unsigned>(hms.hours().count()));
  put(16, static_cast<unsigned>(hms.minutes().count()));
  put(19, static_cast<unsigned>(hms.seconds().count()));
  put(23, static_cast<unsigned>(hms.subseconds().count()));
  return out;
}

Result<Timestamp> ParseRfc3339(std::string_view text) {
  Scanner in(text);
  int y = 0, mo = 0, d = 0;
  if (!in.Digits(4, &y) || !in.Literal('-') || !in.Digits(2, &mo) || !in.Literal('-') ||
      !in.Digits(2, &d)) {
    return NotRfc3339(text);
  }
  year_month_day ymd{year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                     std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return NotRfc3339(text);
  milliseconds since_midnight{0};
  if (!in.AtEnd()) {
    int h = 0, mi = 0, s = 0, frac = 0;
    if (!in.OneOf("Tt") || !in.Digits(2, &h) || !in.Literal(':') || !in.Digits(2, &mi) ||
        !in.Literal(':') || !in.Digits(2, &s)) {
      return NotRfc3339(text);
    }
    if (in.Literal('.') && !in.Fraction(&frac)) return NotRfc3339(text);
    if (h > 23 || mi > 59 || s > 60) return NotRfc3339(text);
    minutes offset{0};
    char zone = in.OneOf("Zz+-");
    if (zone == '+' || zone == '-') {
      int oh = 0, om = 0;
      if (!in.Digits(2, &oh) || !in.Literal(':') || !in.Digits(2, &om) || oh > 23 || om > 59) {
        return NotRfc3339(text);
      }
      offset = hours{oh} + minutes{om};
      if (zone == '-') offset = -offset;
    } else if (zone == 0) {
      return NotRfc3339(text);
    }
    if (!in.AtEnd()) return NotRfc3339(text);
    since_midnight = hours{h} + minutes{mi} + seconds{s} + milliseconds{frac} - offset;
  }
  auto time = sys_days{ymd} + since_midnight;
  return static_cast<Timestamp>(time.time_since_epoch().count());
}

Timestamp NowMillis() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace memd
