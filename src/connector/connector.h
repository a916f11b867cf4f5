// The connector: a small HTTP service a department runs in front of its own data, so that the
// platform's exchange can fetch one subject's record from it. It answers only requests the
// platform signed, and only with the fields the request asks for.
//
// Protocol (the platform's exchange is the other side):
//   POST <path>  body {"resource": "<catalog code>", "subject": "<ID>", "fields": ["name", ...]}
//   signed with HTTP Message Signatures (RFC 9421, Ed25519) under the label sig1, covering
//   "@method" "@authority" "@path" "content-digest" "date", with created, keyid and nonce;
//   Content-Digest (RFC 9530) carries the body's SHA-256; Date is an IMF-fixdate.
// Checks, in this order; the first that fails answers RFC 9457 problem details
// ({"title", "status", "code", "detail"}, application/problem+json):
//   the one path                                 else 404 connector.not_found
//   POST                                         else 405 connector.method (with Allow: POST)
//   the signature is valid under a trusted key   else 401 connector.signature
//   Content-Digest matches the body              else 400 connector.digest
//   created, expires and Date are within the window of this clock
//                                                else 401 connector.stale
//   the nonce was not seen within the window     else 401 connector.replay
//                                                (503 connector.busy when the store is full)
//   the body is {resource, subject, fields}      else 400 connector.body (other members are
//                                                ignored, so the platform may add some)
//   the resource is the one served, when set     else 404 connector.resource
//   the subject is held                          else 404 connector.no_record
// and then 200 {"subject": "<as asked>", "values": {field: value}} with the asked fields the
// record has (a column with no value gives null; a field it does not have is left out). The data
// source failing answers 503 connector.unavailable (database unreachable) or 500 connector.data.
//
// A signature binds a request to the platform, not to a time: freshness is the window around this
// machine's clock (keep it synchronised), and each nonce is accepted once. Nonces are remembered
// for twice the window (any request older than that is stale anyway) and forgotten after.
//
// Logs name the outcome, the status, the code and the verified key id, never a subject or a value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

#include <nlohmann/json.hpp>

#include "crypto/ed25519.h"
#include "http/http.h"

namespace onceonly::connector {

struct Options {
  std::string path = "/records";        // the one path served; starts with '/'
  std::optional<std::string> resource;  // when set, requests naming another resource get 404
  int windowSeconds = 300;              // how far created and Date may be from this clock
  std::size_t maxNonces = 1'000'000;    // nonces remembered at most; when full, 503
};

// Key id -> public key: whose signatures the connector accepts.
using TrustedKeys = std::map<std::string, crypto::Ed25519PublicKey>;

// The platform's published JWK Set (RFC 7517): {"keys": [{"kty": "OKP", "crv": "Ed25519",
// "kid": "...", "x": "<base64url of the 32-byte key>"}, ...]}. Keys of another kty or crv, or
// whose "use" is not "sig" or "alg" not EdDSA, are skipped as RFC 7517 asks. Throws
// std::runtime_error naming the key at fault: not JSON, no "keys" array, an entry without kid or
// with a bad x, a kid twice, a private key ("d") in the set, or no Ed25519 key at all.
TrustedKeys parseTrustedKeys(std::string_view jwks);
// The same from a file; the message also names the file.
TrustedKeys loadTrustedKeys(const std::string& file);

// Where the records are. find() returns every column of the subject's record as a JSON object
// (column -> value, null where there is none), or nullopt when the subject is not held. It is
// called from several threads at once. Its exceptions carry no subject or value in their message.
class DataSource {
 public:
  virtual ~DataSource() = default;
  virtual std::optional<nlohmann::json> find(const std::string& subject) = 0;
};

// A UTF-8 CSV file with a header row (RFC 4180, strict; a leading BOM is skipped), read whole into
// memory at start. Keys are matched in ASCII upper case, since a resident ID's final x may be
// written either way; values are strings, an empty cell null. Throws std::runtime_error for a
// file that cannot be read, is not UTF-8 or not CSV, a header without keyColumn or with a column
// twice or unnamed, a row with another number of cells than the header, an empty key or a key
// twice (messages give the line, never the key).
std::unique_ptr<DataSource> csvSource(const std::string& file,
                                      const std::string& keyColumn = "subject");

// A table of a database (sqlite:///abs/path.db, which must exist, or postgresql://...), read
// with SELECT * FROM "table" WHERE "keyColumn" = ? for each request: the subject as given, then in
// upper case. Column names come in lower case; integers, reals, text and NULL keep their JSON
// types. Table and column must be identifiers ([A-Za-z_][A-Za-z0-9_]{0,62}); they are quoted, so
// on PostgreSQL their case matters. Throws std::runtime_error when a name is not an identifier,
// the database cannot be opened, or the table or column cannot be read; find() throws when the key
// column holds the subject more than once. poolSize: connections, as many as the server has
// worker threads.
std::unique_ptr<DataSource> databaseSource(const std::string& url, const std::string& table,
                                           const std::string& keyColumn, int poolSize = 4);

// Unix seconds.
using UnixClock = std::function<std::int64_t()>;

class Connector {
 public:
  // Throws std::runtime_error for options that cannot work (a path not starting with '/', a
  // window outside 1..86400 s, an empty resource, no nonce room), no trusted key or no data. The
  // clock (the system's by default) is called from several threads at once.
  Connector(Options options, TrustedKeys trusted, std::unique_ptr<DataSource> data,
            UnixClock clock = nullptr);
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  // The http::Handler of the connector's server. Thread-safe: the server calls it from several
  // worker threads at once.
  http::Response handle(http::Request& req);

 private:
  enum class NonceCheck { fresh, replayed, full };
  // Records the nonce unless it was seen within twice the window. Takes mutex_.
  NonceCheck remember(const std::string& keyId, const std::string& nonce, std::int64_t now);

  const Options options_;
  const TrustedKeys trusted_;
  const std::unique_ptr<DataSource> data_;
  const UnixClock clock_;

  std::mutex mutex_;
  std::unordered_set<std::string> nonces_;  // "keyid\nnonce"; guarded by mutex_
  // When each nonce was first seen, oldest first, pointing into nonces_ (whose elements stay put
  // when it rehashes); guarded by mutex_.
  std::deque<std::pair<std::int64_t, const std::string*>> seenAt_;
};

}  // namespace onceonly::connector
