// A result row: values by column name, read as the type the caller expects.
#include <charconv>
#include <stdexcept>

#include "store/store.h"

namespace onceonly::store {

Row::Row(std::shared_ptr<const std::vector<std::string>> names, std::vector<Value> values)
    : names_(std::move(names)), values_(std::move(values)) {}

const Value& Row::at(std::string_view column) const {
  for (std::size_t i = 0; i < names_->size(); ++i)
    if ((*names_)[i] == column) return values_[i];
  throw std::out_of_range("no column '" + std::string(column) + "' in result");
}

bool Row::isNull(std::string_view column) const {
  return std::holds_alternative<Null>(at(column));
}

std::optional<std::string> Row::optText(std::string_view column) const {
  const Value& v = at(column);
  if (auto s = std::get_if<std::string>(&v)) return *s;
  if (auto i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (auto d = std::get_if<double>(&v)) return std::to_string(*d);
  return std::nullopt;
}

std::string Row::text(std::string_view column) const {
  return optText(column).value_or("");
}

std::string Row::takeText(std::string_view column) {
  for (std::size_t i = 0; i < names_->size(); ++i)
    if ((*names_)[i] == column)
      if (auto s = std::get_if<std::string>(&values_[i])) return std::move(*s);
  return text(column);
}

std::optional<std::int64_t> Row::optInteger(std::string_view column) const {
  const Value& v = at(column);
  if (auto i = std::get_if<std::int64_t>(&v)) return *i;
  if (auto d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
  if (auto s = std::get_if<std::string>(&v)) {
    std::int64_t out = 0;
    auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (ec != std::errc() || p != s->data() + s->size())
      throw std::runtime_error("column '" + std::string(column) + "' is not an integer");
    return out;
  }
  return std::nullopt;
}

std::int64_t Row::integer(std::string_view column) const {
  return optInteger(column).value_or(0);
}

double Row::real(std::string_view column) const {
  const Value& v = at(column);
  if (auto d = std::get_if<double>(&v)) return *d;
  if (auto i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (auto s = std::get_if<std::string>(&v)) return std::stod(*s);
  return 0;
}

}  // namespace onceonly::store
