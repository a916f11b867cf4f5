// The bits of a status list and their two standard encodings: the W3C Bitstring Status List's
// `encodedList` (multibase "u" + base64url of the GZIP-compressed bits, index 0 the most
// significant bit of the first byte) and the IETF Token Status List's `lst` (base64url of the
// ZLIB-compressed bytes, `bits` per entry, index 0 in the least significant bits of the first
// byte). zlib compresses; decoding refuses more than the expected number of bytes, so a small
// compressed list cannot expand into a large one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onceonly::credentials {

// Entries in every list: the W3C minimum, so that a lookup says nothing about who is checked.
constexpr std::uint32_t kStatusListSize = 131072;

class Bitstring {
 public:
  explicit Bitstring(std::uint32_t entries) : bytes_((entries + 7) / 8, '\0'), entries_(entries) {}
  std::uint32_t size() const { return entries_; }
  bool get(std::uint32_t index) const;
  void set(std::uint32_t index, bool on);

  // "u" + base64url(GZIP(bits)).
  std::string encodeW3c() const;
  // nullopt unless `encoded` is that form and holds exactly `entries` bits.
  static std::optional<Bitstring> decodeW3c(std::string_view encoded, std::uint32_t entries);

 private:
  std::string bytes_;
  std::uint32_t entries_;
};

// An IETF Token Status List of 2-bit entries (0 valid, 1 invalid, 2 suspended).
class TokenStatusList {
 public:
  static constexpr int kBits = 2;
  explicit TokenStatusList(std::uint32_t entries) : bytes_((entries * kBits + 7) / 8, '\0') {}
  std::uint32_t size() const { return static_cast<std::uint32_t>(bytes_.size() * 8 / kBits); }
  int get(std::uint32_t index) const;
  void set(std::uint32_t index, int value);
  // base64url(ZLIB(bytes)).
  std::string encode() const;
  static std::optional<TokenStatusList> decode(std::string_view lst, std::uint32_t entries);

 private:
  std::string bytes_;
};

// Compression, for the two encodings and their tests: gzip (RFC 1952) or zlib (RFC 1950).
enum class Wrapper { gzip, zlib };
std::string compress(std::string_view data, Wrapper wrapper);
// nullopt unless `data` is one complete stream of that kind that inflates to exactly
// `expectedSize` bytes.
std::optional<std::string> decompress(std::string_view data, Wrapper wrapper,
                                      std::size_t expectedSize);

}  // namespace onceonly::credentials
