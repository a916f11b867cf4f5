// Check digits of the two national identifiers: no library in our set knows them.
#include <chrono>
#include <cstring>
#include <string>

#include "identity/identity.h"

namespace onceonly::identity {
namespace {

constexpr int kResidentWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr char kResidentCheck[] = "10X98765432";
constexpr char kCreditAlphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr int kCreditWeights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

bool allDigits(const std::string& s, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

bool validDate(int y, int m, int d) {
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || y < 1900) return false;
  auto today = floor<days>(system_clock::now());
  return sys_days{ymd} <= today;
}

}  // namespace

char residentIdCheckDigit(const std::string& first17) {
  int sum = 0;
  for (int i = 0; i < 17; ++i)
    sum += (first17[static_cast<std::size_t>(i)] - '0') * kResidentWeights[i];
  return kResidentCheck[sum % 11];
}

std::optional<std::string> checkResidentId(const std::string& id) {
  if (id.size() != 18) return "must be 18 characters";
  if (!allDigits(id, 0, 17)) return "the first 17 characters must be digits";
  char last = id[17];
  if (!((last >= '0' && last <= '9') || last == 'X'))
    return "the last character must be a digit or X";
  if (id[0] < '1' || id[0] > '9') return "the region code is not valid";
  int y = std::stoi(id.substr(6, 4)), m = std::stoi(id.substr(10, 2)),
      d = std::stoi(id.substr(12, 2));
  if (!validDate(y, m, d)) return "the birth date is not a valid past date";
  if (residentIdCheckDigit(id.substr(0, 17)) != last) return "the check digit does not match";
  return std::nullopt;
}

std::string maskResidentId(const std::string& id) {
  if (id.size() <= 7) return std::string(id.size(), '*');
  return id.substr(0, 3) + std::string(id.size() - 7, '*') + id.substr(id.size() - 4);
}

char creditCodeCheckChar(const std::string& first17) {
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    const char* p = std::strchr(kCreditAlphabet, first17[static_cast<std::size_t>(i)]);
    sum += static_cast<int>(p - kCreditAlphabet) * kCreditWeights[i];
  }
  int check = 31 - sum % 31;
  return kCreditAlphabet[check == 31 ? 0 : check];
}

std::optional<std::string> checkCreditCode(const std::string& code) {
  if (code.size() != 18) return "must be 18 characters";
  for (char c : code)
    if (c == '\0' || !std::strchr(kCreditAlphabet, c))
      return "uses characters outside 0-9 and A-Y without I, O, S, V, Z";
  if (!allDigits(code, 2, 8)) return "characters 3 to 8 must be a region code";
  if (creditCodeCheckChar(code.substr(0, 17)) != code[17])
    return "the check character does not match";
  return std::nullopt;
}

}  // namespace onceonly::identity
