// Asio and Beast are built with separate compilation: their implementation is compiled here,
// once, instead of in every file that includes their headers.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
