#include "credentials/status_list.h"

#include <stdexcept>

#include <zlib.h>

#include "core/encoding.h"

namespace onceonly::credentials {

namespace {

int windowBits(Wrapper w) {
  return w == Wrapper::gzip ? 15 + 16 : 15;
}

}  // namespace

bool Bitstring::get(std::uint32_t index) const {
  if (index >= entries_) throw std::out_of_range("status list index");
  return (static_cast<unsigned char>(bytes_[index / 8]) >> (7 - index % 8)) & 1U;
}

void Bitstring::set(std::uint32_t index, bool on) {
  if (index >= entries_) throw std::out_of_range("status list index");
  auto& b = reinterpret_cast<unsigned char&>(bytes_[index / 8]);
  const auto mask = static_cast<unsigned char>(1U << (7 - index % 8));
  b = on ? static_cast<unsigned char>(b | mask) : static_cast<unsigned char>(b & ~mask);
}

std::string Bitstring::encodeW3c() const {
  return "u" + base64url(compress(bytes_, Wrapper::gzip));
}

std::optional<Bitstring> Bitstring::decodeW3c(std::string_view encoded, std::uint32_t entries) {
  if (encoded.empty() || encoded.front() != 'u') return std::nullopt;
  auto compressed = fromBase64url(encoded.substr(1));
  if (!compressed) return std::nullopt;
  Bitstring out(entries);
  auto bytes = decompress(*compressed, Wrapper::gzip, out.bytes_.size());
  if (!bytes) return std::nullopt;
  out.bytes_ = std::move(*bytes);
  return out;
}

int TokenStatusList::get(std::uint32_t index) const {
  if (index >= size()) throw std::out_of_range("status list index");
  const auto bit = index * kBits;
  return (static_cast<unsigned char>(bytes_[bit / 8]) >> (bit % 8)) & ((1 << kBits) - 1);
}

void TokenStatusList::set(std::uint32_t index, int value) {
  if (index >= size() || value < 0 || value >= (1 << kBits))
    throw std::out_of_range("status list entry");
  const auto bit = index * kBits;
  auto& b = reinterpret_cast<unsigned char&>(bytes_[bit / 8]);
  const unsigned mask = ((1U << kBits) - 1) << (bit % 8);
  b = static_cast<unsigned char>((b & ~mask) | (static_cast<unsigned>(value) << (bit % 8)));
}

std::string TokenStatusList::encode() const {
  return base64url(compress(bytes_, Wrapper::zlib));
}

std::optional<TokenStatusList> TokenStatusList::decode(std::string_view lst,
                                                       std::uint32_t entries) {
  auto compressed = fromBase64url(lst);
  if (!compressed) return std::nullopt;
  TokenStatusList out(entries);
  auto bytes = decompress(*compressed, Wrapper::zlib, out.bytes_.size());
  if (!bytes) return std::nullopt;
  out.bytes_ = std::move(*bytes);
  return out;
}

std::string compress(std::string_view data, Wrapper wrapper) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, windowBits(wrapper), 8,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib: deflateInit2 failed");
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib: deflate did not finish");
  return out;
}

std::optional<std::string> decompress(std::string_view data, Wrapper wrapper,
                                      std::size_t expectedSize) {
  z_stream z{};
  if (inflateInit2(&z, windowBits(wrapper)) != Z_OK) return std::nullopt;
  // One byte more than expected, to tell "exactly" from "at least".
  std::string out(expectedSize + 1, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  const bool whole = rc == Z_STREAM_END && z.avail_in == 0 && z.total_out == expectedSize;
  inflateEnd(&z);
  if (!whole) return std::nullopt;
  out.resize(expectedSize);
  return out;
}

}  // namespace onceonly::credentials
