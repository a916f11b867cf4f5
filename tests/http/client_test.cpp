#include "http/client.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "support/test_support.h"

namespace onceonly::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

struct Pem {
  std::string certificate;
  std::string key;
};

std::string bioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// A self-signed certificate (its own CA) for the given subjectAltName, e.g.
// "DNS:localhost,IP:127.0.0.1", made with OpenSSL for the test.
Pem selfSigned(const std::string& altNames) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("onceonly test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, altNames},
                            std::pair{NID_basic_constraints, std::string("critical,CA:TRUE")}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(cert.get(), key.get(), EVP_sha256());
  std::unique_ptr<BIO, decltype(&BIO_free)> c(BIO_new(BIO_s_mem()), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> k(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(c.get(), cert.get());
  PEM_write_bio_PrivateKey(k.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return {bioText(c.get()), bioText(k.get())};
}

// An HTTPS server on a loopback port that answers every request with "hello <target>".
class TlsServer {
 public:
  explicit TlsServer(const Pem& pem) : ctx_(net::ssl::context::tls_server) {
    ctx_.use_certificate_chain(net::buffer(pem.certificate));
    ctx_.use_private_key(net::buffer(pem.key), net::ssl::context::pem);
    acceptor_.open(net::ip::tcp::v4());
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    thread_ = std::thread([this] { serve(); });
  }
  ~TlsServer() {
    // A blocked accept() does not return when the socket is closed: wake it with a connection.
    stopping_ = true;
    net::io_context ioc;
    net::ip::tcp::socket poke(ioc);
    beast::error_code ec;
    poke.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }
  // The server name each client asked for in its handshake ("" for none).
  std::vector<std::string> serverNames() {
    std::lock_guard lock(mutex_);
    return serverNames_;
  }

 private:
  void serve() {
    for (;;) {
      beast::error_code ec;
      net::ip::tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      try {
        beast::ssl_stream<net::ip::tcp::socket> stream(std::move(socket), ctx_);
        stream.handshake(net::ssl::stream_base::server);
        const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
        {
          std::lock_guard lock(mutex_);
          serverNames_.push_back(sni ? sni : "");
        }
        beast::flat_buffer buffer;
        bhttp::request<bhttp::string_body> req;
        bhttp::read(stream, buffer, req);
        bhttp::response<bhttp::string_body> res(bhttp::status::ok, 11);
        res.set(bhttp::field::content_type, "text/plain");
        res.body() = "hello " + std::string(req.target());
        res.prepare_payload();
        bhttp::write(stream, res);
        stream.shutdown(ec);
      } catch (const std::exception&) {
        // A client that refused the certificate: wait for the next one.
      }
    }
  }

  net::io_context ioc_;
  net::ssl::context ctx_;
  net::ip::tcp::acceptor acceptor_{ioc_};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<std::string> serverNames_;
  std::thread thread_;
};

// A loopback server that accepts connections and never says a word.
class SilentServer {
 public:
  SilentServer() {
    acceptor_.open(net::ip::tcp::v4());
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();  // the kernel completes the handshake; nothing ever reads or answers
  }
  std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }

 private:
  net::io_context ioc_;
  net::ip::tcp::acceptor acceptor_{ioc_};
};

class TlsClientTest : public ::testing::Test {
 protected:
  onceonly::testing::TempDir dir;
  std::string write(const std::string& name, const std::string& text) {
    auto path = (dir.path() / name).string();
    std::ofstream(path) << text;
    return path;
  }
  static ClientOptions trusting(const std::string& caFile) {
    ClientOptions o;
    o.timeoutSeconds = 5;
    o.caFile = caFile;
    return o;
  }
};

TEST_F(TlsClientTest, TalksToAServerWhoseCertificateItTrusts) {
  Pem pem = selfSigned("DNS:localhost,IP:127.0.0.1");
  TlsServer server(pem);
  auto ca = write("ca.pem", pem.certificate);
  auto r = fetch("GET", "https://localhost:" + server.port() + "/checkpoint", "", "", trusting(ca));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello /checkpoint");
  r = fetch("POST", "https://127.0.0.1:" + server.port() + "/add-checkpoint", "body", "text/plain",
            trusting(ca));
  EXPECT_EQ(r.body, "hello /add-checkpoint");
  // The host name goes out as SNI; an address does not (RFC 6066 §3).
  EXPECT_EQ(server.serverNames(), (std::vector<std::string>{"localhost", ""}));
}

// A server that takes the connection and never answers makes the call fail once its time is up,
// whether it never starts the TLS handshake or never answers over plain HTTP.
TEST(HttpClient, GivesUpOnAServerThatNeverAnswers) {
  SilentServer server;
  ClientOptions o;
  o.timeoutSeconds = 1;
  for (std::string scheme : {"http", "https"}) {
    auto call = std::async(std::launch::async, [&] {
      fetch("GET", scheme + "://127.0.0.1:" + server.port() + "/", "", "", o);
    });
    ASSERT_EQ(call.wait_for(std::chrono::seconds(60)), std::future_status::ready)
        << scheme << ": the call did not give up";
    try {
      call.get();
      ADD_FAILURE() << scheme << ": a silent server gave an answer";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("no answer within 1 s"), std::string::npos) << e.what();
    }
  }
}

TEST_F(TlsClientTest, RefusesAnUntrustedCertificate) {
  Pem pem = selfSigned("DNS:localhost");
  TlsServer server(pem);
  try {
    fetch("GET", "https://localhost:" + server.port() + "/", "", "", trusting(""));
    FAIL() << "an untrusted certificate was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("certificate verify failed"), std::string::npos)
        << e.what();
  }
}

TEST_F(TlsClientTest, RefusesACertificateForAnotherHost) {
  Pem pem = selfSigned("DNS:witness.example");
  TlsServer server(pem);
  auto ca = write("ca.pem", pem.certificate);
  EXPECT_THROW(fetch("GET", "https://localhost:" + server.port() + "/", "", "", trusting(ca)),
               std::runtime_error);
}

TEST(HttpClient, NamesWhatIsWrongWithAUrl) {
  for (const char* bad : {"ftp://x/", "https://", "https://host:0/", "http://user@host/"}) {
    try {
      fetch("GET", bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace onceonly::http
