// SOCI lives in this translation unit only: it is template-heavy, and keeping it here keeps the
// rest of the build fast and the rest of the code free of database headers.
#include "store/store.h"

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <utility>

#include "core/error.h"
#include "core/log.h"

namespace onceonly::store {
namespace {

constexpr int kLeaseTimeoutMs = 10000;
constexpr int kSqliteBusyTimeoutMs = 10000;

// SQLite copies the WAL into the database file once it holds 1,000 pages (a checkpoint after a
// commit), but starts the WAL over only at a moment when no reader still reads a part of it. Under
// steady reads beside steady writes that moment may not come, and the WAL grows without bound
// (SQLite calls it checkpoint starvation). Past kWalRestartPages, the checkpoint after a commit
// waits up to kWalRestartWaitMs for the readers of the moment (new ones read the database file
// and do not hold it up), holding other writers back meanwhile, and the WAL starts over;
// journal_size_limit gives the space back. A reader that takes longer (a backup, a long report)
// is waited for again only once the WAL has grown by as much again.
constexpr int kWalCheckpointPages = 1000;  // SQLite's own default
constexpr int kWalRestartPages = 4096;     // 16 MB of 4 KB pages
constexpr int kWalRestartWaitMs = 200;
constexpr std::int64_t kWalKeepBytes = std::int64_t{kWalRestartPages} * 4096;

// `?` placeholders become SOCI's `:pN`, skipping quoted text and `::` casts.
std::string rewritePlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char ch : sql) {
    if (quote) {
      if (ch == quote) quote = 0;
      out.push_back(ch);
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
      out.push_back(ch);
    } else if (ch == '?') {
      out += ":p" + std::to_string(++n);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

// A SQL string literal.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char ch : text) out += ch == '\'' ? std::string("''") : std::string(1, ch);
  return out + "'";
}

// A file: URI that opens the file read-only (RFC 3986 escapes for what a URI path cannot hold).
std::string readOnlyUri(const std::string& path) {
  std::string out = "file:";
  for (unsigned char ch : path) {
    if (ch == '%' || ch == '?' || ch == '#' || ch < 0x21 || ch > 0x7e) {
      constexpr char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out + "?mode=ro";
}

// SOCI's PostgreSQL backend reads its connection string as keyword=value pairs and mangles URIs,
// so libpq itself parses the URI and the pairs are written back out, quoted as libpq wants.
std::string postgresConnInfo(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (!opts) {
    std::string msg = err ? err : "cannot parse";
    if (err) PQfreemem(err);
    throw std::runtime_error("database_url: " + msg);
  }
  std::string out;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (!o->val) continue;
    std::string v;
    for (const char* p = o->val; *p; ++p) {
      if (*p == '\\' || *p == '\'') v.push_back('\\');
      v.push_back(*p);
    }
    out += std::string(o->keyword) + "='" + v + "' ";
  }
  PQconninfoFree(opts);
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Database and Connection internals

// A prepared statement with the storage its arguments are bound to. SOCI binds by reference, so
// values are assigned in place when the statement runs again.
struct Prepared {
  explicit Prepared(soci::session& s) : st(s) {}
  soci::statement st;
  std::vector<int> kinds;          // per argument: 1 integer, 2 real, 3 text (or NULL)
  std::vector<std::size_t> where;  // per argument: its place in ints, reals or texts
  std::vector<long long> ints;
  std::vector<double> reals;
  std::vector<std::string> texts;
  std::vector<soci::indicator> inds;
  soci::row row;
  bool withRows = false;
  std::shared_ptr<const std::vector<std::string>> names;  // lower-case column names

  static int kindOf(const Value& v) {
    return std::holds_alternative<std::int64_t>(v) ? 1 : std::holds_alternative<double>(v) ? 2 : 3;
  }

  static std::unique_ptr<Prepared> make(soci::session& session, const std::string& text,
                                        const Args& args, bool withRows,
                                        soci::details::statement_type type) {
    auto p = std::make_unique<Prepared>(session);
    p->withRows = withRows;
    for (const auto& v : args) {
      const int kind = kindOf(v);
      p->kinds.push_back(kind);
      p->where.push_back(kind == 1   ? p->ints.size()
                         : kind == 2 ? p->reals.size()
                                     : p->texts.size());
      if (kind == 1) p->ints.emplace_back();
      if (kind == 2) p->reals.emplace_back();
      if (kind == 3) p->texts.emplace_back();
    }
    p->inds.assign(args.size(), soci::i_ok);
    p->assign(args);
    p->st.alloc();
    p->st.prepare(text, type);
    // Every vector has its final size: the references bound here stay valid.
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (p->kinds[i] == 1) p->st.exchange(soci::use(p->ints[p->where[i]], p->inds[i]));
      if (p->kinds[i] == 2) p->st.exchange(soci::use(p->reals[p->where[i]], p->inds[i]));
      if (p->kinds[i] == 3) p->st.exchange(soci::use(p->texts[p->where[i]], p->inds[i]));
    }
    if (withRows) p->st.exchange(soci::into(p->row));
    p->st.define_and_bind();
    return p;
  }

  bool fits(const Args& args, bool rows) const {
    if (rows != withRows || args.size() != kinds.size()) return false;
    for (std::size_t i = 0; i < args.size(); ++i)
      if (kindOf(args[i]) != kinds[i]) return false;
    return true;
  }

  void assign(const Args& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
      const Value& v = args[i];
      inds[i] = std::holds_alternative<Null>(v) ? soci::i_null : soci::i_ok;
      if (auto iv = std::get_if<std::int64_t>(&v)) ints[where[i]] = *iv;
      if (auto dv = std::get_if<double>(&v)) reals[where[i]] = *dv;
      if (auto sv = std::get_if<std::string>(&v)) texts[where[i]] = *sv;
    }
  }
};

// A statement run once per row of bound columns (execEach), with the columns' storage.
struct PreparedBulk {
  explicit PreparedBulk(soci::session& s) : st(s) {}
  struct Column {
    std::vector<long long> ints;
    std::vector<double> reals;
    std::vector<std::string> texts;
    std::vector<soci::indicator> inds;
  };
  soci::statement st;
  std::vector<int> kinds;       // per column: 1 integer, 2 real, 3 text
  std::vector<Column> columns;  // never resized once bound: SOCI holds references to them

  static std::unique_ptr<PreparedBulk> make(soci::session& session, const std::string& text,
                                            const std::vector<int>& kinds,
                                            const std::vector<Args>& rows,
                                            soci::details::statement_type type) {
    auto p = std::make_unique<PreparedBulk>(session);
    p->kinds = kinds;
    p->columns.resize(kinds.size());
    p->assign(rows);  // SOCI refuses to bind empty vectors
    p->st.alloc();
    p->st.prepare(text, type);
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      auto& col = p->columns[i];
      if (kinds[i] == 1) p->st.exchange(soci::use(col.ints, col.inds));
      if (kinds[i] == 2) p->st.exchange(soci::use(col.reals, col.inds));
      if (kinds[i] == 3) p->st.exchange(soci::use(col.texts, col.inds));
    }
    p->st.define_and_bind();
    return p;
  }

  void assign(const std::vector<Args>& rows) {
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      auto& col = columns[i];
      col.ints.clear();
      col.reals.clear();
      col.texts.clear();
      col.inds.clear();
      for (const auto& row : rows) {
        const Value& v = row[i];
        const bool null = std::holds_alternative<Null>(v);
        col.inds.push_back(null ? soci::i_null : soci::i_ok);
        if (kinds[i] == 1) col.ints.push_back(null ? 0 : std::get<std::int64_t>(v));
        if (kinds[i] == 2) col.reals.push_back(null ? 0 : std::get<double>(v));
        if (kinds[i] == 3) col.texts.push_back(null ? std::string() : std::get<std::string>(v));
      }
    }
  }
};

// SQL text → its prepared statement, per connection. Bounded: lists build their SQL from the
// filters asked for.
using StatementCache = std::map<std::string, std::unique_ptr<Prepared>, std::less<>>;
using BulkCache = std::map<std::string, std::unique_ptr<PreparedBulk>, std::less<>>;
constexpr std::size_t kCachedStatements = 256;

// A fixed set of sessions and a free list. (SOCI's own connection_pool spins in try_lease in the
// Debian 12 version, so the pool is kept here.)
struct Database::Impl {
  std::string url;
  Dialect dialect = Dialect::Sqlite;
  std::vector<std::unique_ptr<soci::session>> sessions;
  std::mutex mutex;
  std::condition_variable released;
  std::vector<std::size_t> free;  // GUARDED_BY mutex
  std::atomic<bool> syncedDirectory{false};
  // Per session, used only by the connection that leased it. A migration empties them all, as
  // a statement prepared before it may name columns that changed.
  std::vector<StatementCache> caches;
  std::vector<BulkCache> bulkCaches;
  std::vector<int> cacheEpochs;
  std::atomic<int> schemaEpoch{0};
  // Per SQLite session, likewise: 1 while it runs with synchronous=NORMAL (after a deferred
  // transaction, or a failed attempt to end one). Only a deferred transaction leases it like that.
  std::vector<char> relaxed;
  // The WAL's size in pages past which a commit's checkpoint restarts it (SQLite).
  std::atomic<int> walRestartAt{kWalRestartPages};

  // Installed as each SQLite session's WAL hook, in place of SQLite's automatic checkpoints.
  static int checkpointAfterCommit(void* self, sqlite_api::sqlite3* db, const char* name,
                                   int pages) {
    using namespace sqlite_api;
    auto& restartAt = static_cast<Impl*>(self)->walRestartAt;
    if (pages < kWalRestartPages && restartAt.load() != kWalRestartPages)
      restartAt.store(kWalRestartPages);  // the WAL started over since an attempt failed
    if (pages >= restartAt.load()) {
      sqlite3_busy_timeout(db, kWalRestartWaitMs);
      const int rc =
          sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
      sqlite3_busy_timeout(db, kSqliteBusyTimeoutMs);
      restartAt.store(rc == SQLITE_OK ? kWalRestartPages : pages + kWalRestartPages);
      if (rc != SQLITE_OK)
        log::warn("db.wal_not_restarted", {{"wal_pages", pages}, {"problem", sqlite3_errstr(rc)}});
    } else if (pages >= kWalCheckpointPages) {
      sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
    return SQLITE_OK;  // the commit itself has succeeded, whatever its checkpoint did
  }

  // Back to synchronous=FULL; false when SQLite refused (the flag stays set).
  bool restoreSync(std::size_t slot) noexcept {
    if (!relaxed[slot]) return true;
    try {
      *sessions[slot] << "PRAGMA synchronous=FULL";
      relaxed[slot] = 0;
      return true;
    } catch (...) {
      return false;
    }
  }

  StatementCache& cacheFor(std::size_t slot) {
    const int epoch = schemaEpoch.load();
    if (cacheEpochs[slot] != epoch) {
      caches[slot].clear();
      bulkCaches[slot].clear();
      cacheEpochs[slot] = epoch;
    }
    return caches[slot];
  }
  BulkCache& bulkCacheFor(std::size_t slot) {
    cacheFor(slot);
    return bulkCaches[slot];
  }

  // A session for the next transaction or statements. One found inside a transaction (a failed
  // attempt to end one) is rolled back first. For anything but a deferred transaction, the
  // session syncs every commit again; a deferred one keeps synchronous=NORMAL from the last, so
  // that a sequencer of batches does not set it back and forth twice a batch.
  soci::session* lease(std::size_t& slot, Sync sync) {
    std::unique_lock lock(mutex);
    if (!released.wait_for(lock, std::chrono::milliseconds(kLeaseTimeoutMs),
                           [this] { return !free.empty(); }))
      return nullptr;
    slot = free.back();
    free.pop_back();
    lock.unlock();
    if (dialect == Dialect::Sqlite && !sqlite_api::sqlite3_get_autocommit(sqliteHandle(slot))) {
      try {
        *sessions[slot] << "ROLLBACK";
      } catch (...) {
      }
    }
    if (sync == Sync::onCommit && !restoreSync(slot)) {
      giveBack(slot);
      return nullptr;
    }
    return sessions[slot].get();
  }

  // Not checked by UBSan's vptr check: Debian's SOCI does not export the backend's type
  // information, and the session of a SQLite pool holds nothing else.
  __attribute__((no_sanitize("vptr"))) sqlite_api::sqlite3* sqliteHandle(std::size_t slot) {
    return static_cast<soci::sqlite3_session_backend*>(sessions[slot]->get_backend())->conn_;
  }

  void giveBack(std::size_t slot) {
    {
      std::lock_guard lock(mutex);
      free.push_back(slot);
    }
    released.notify_one();
  }
};

struct Connection::Impl {
  Database::Impl* db = nullptr;
  std::size_t slot = 0;
  soci::session* session = nullptr;
  bool inTransaction = false;
  Sync leasedFor = Sync::onCommit;  // see Database::Impl::lease
  bool unit = false;                // a unit of work's: begins at the first write
  Sync unitSync = Sync::onCommit;   // how the unit's transaction commits (deferDurability)
  int savepoints = 0;
  std::vector<std::function<void()>> afterCommit;

  ~Impl() {
    if (!session) return;
    try {
      if (inTransaction) *session << "ROLLBACK";
    } catch (...) {
    }
    db->giveBack(slot);  // a session left with synchronous=NORMAL is restored when leased
  }

  // Classifies a SOCI failure: unreachable database → 503, unique violation → SqlError. The
  // SqlError's text is logged, so it holds no bound value (see describe).
  [[noreturn]] void fail(const soci::soci_error& e, std::string_view sql) {
    bool unique = false;
    bool unavailable = false;
    auto pg = dynamic_cast<const soci::postgresql_soci_error*>(&e);
    if (pg) {
      std::string state = pg->sqlstate();
      unique = state == "23505";
      unavailable = state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0;
    } else {
      std::string message = e.get_error_message();
      unique = message.find("UNIQUE constraint failed") != std::string::npos ||
               message.find("PRIMARY KEY constraint failed") != std::string::npos;
      unavailable = message.find("database is locked") != std::string::npos ||
                    message.find("unable to open") != std::string::npos;
    }
    if (dialect() == Dialect::Postgres && !unavailable) {
      // A broken connection reports itself through libpq's status, whatever the message.
      if (!session->is_connected()) unavailable = true;
    }
    if (unavailable) {
      if (dialect() == Dialect::Postgres) {
        try {
          session->reconnect();
        } catch (...) {
        }
      }
      throw Error(503, "db.unavailable");
    }
    throw SqlError(describe(e, pg) + " [in: " + std::string(sql.substr(0, 200)) + "]", unique);
  }

  // What went wrong, without the values bound to the statement, which may be passwords or
  // resident IDs: SOCI's what() ends with its context, "while executing "<sql>" with
  // :p1=<value>, ...", so only the message itself is kept. PostgreSQL's message goes on with
  // DETAIL lines that quote the values of a violated key or row, so only its first line is
  // kept, and a data exception (SQLSTATE class 22) quotes the value it could not take, so only
  // the state is.
  static std::string describe(const soci::soci_error& e, const soci::postgresql_soci_error* pg) {
    std::string message = e.get_error_message();
    if (!pg) return message;
    const std::string state = pg->sqlstate();
    if (state.rfind("22", 0) == 0) return "PostgreSQL data exception (SQLSTATE " + state + ")";
    message = message.substr(0, message.find('\n'));
    while (!message.empty() && (message.back() == ' ' || message.back() == '\r'))
      message.pop_back();
    return message + " (SQLSTATE " + state + ")";
  }

  Dialect dialect() const { return db->dialect; }

  // Statements are not kept between calls, so on PostgreSQL preparing one on the server first
  // (PQprepare, then PQexecPrepared) only doubled the round trips: send it with its parameters
  // in one (PQexecParams). SQLite prepares in process either way.
  soci::details::statement_type statementType() const {
    return dialect() == Dialect::Postgres ? soci::details::st_one_time_query
                                          : soci::details::st_repeatable_query;
  }

  // The statement to run `sql` with: the one kept for it when `reuse` can bind its arguments
  // to it, else one prepared by `make` (and kept, when there is a cache).
  template <class Statement, class Reuse, class Make>
  Statement* statementFor(std::map<std::string, std::unique_ptr<Statement>, std::less<>>* cache,
                          std::string_view sql, std::unique_ptr<Statement>& once, Reuse reuse,
                          Make make) {
    if (!cache) {
      once = make(rewritePlaceholders(sql));
      return once.get();
    }
    auto it = cache->find(sql);
    if (it != cache->end() && reuse(*it->second)) return it->second.get();
    if (it != cache->end()) cache->erase(it);
    if (cache->size() >= kCachedStatements) cache->clear();
    auto made = make(rewritePlaceholders(sql));
    Statement* p = made.get();
    cache->emplace(std::string(sql), std::move(made));
    return p;
  }

  // Binds args and runs; `rows` receives the result when given. SQLite statements are kept
  // prepared per connection: preparing cost more than running most of them.
  std::int64_t run(std::string_view sql, const Args& args, std::vector<Row>* rows) {
    const bool withRows = rows != nullptr;
    std::unique_ptr<Prepared> once;
    // A PRAGMA acts when it is prepared, not when it runs again: never kept.
    StatementCache* cache =
        dialect() == Dialect::Sqlite && !sql.starts_with("PRAGMA") ? &db->cacheFor(slot) : nullptr;
    try {
      Prepared* p = statementFor(
          cache, sql, once,
          [&](Prepared& kept) {
            if (!kept.fits(args, withRows)) return false;
            kept.assign(args);
            return true;
          },
          [&](const std::string& text) {
            return Prepared::make(*session, text, args, withRows, statementType());
          });
      bool got = p->st.execute(true);
      if (!rows) {
        // A statement left with rows to read would hold SQLite's read lock: not kept.
        const std::int64_t changed = p->st.get_affected_rows();
        if (got && cache) cache->erase(std::string(sql));
        return changed;
      }
      const soci::row& row = p->row;
      while (got) {
        if (!p->names) {
          auto names = std::make_shared<std::vector<std::string>>();
          for (std::size_t i = 0; i < row.size(); ++i)
            names->push_back(lower(row.get_properties(i).get_name()));
          p->names = std::move(names);
        }
        std::vector<Value> values;
        values.reserve(row.size());
        for (std::size_t i = 0; i < row.size(); ++i) values.push_back(cell(row, i));
        rows->emplace_back(p->names, std::move(values));
        got = p->st.fetch();
      }
      return static_cast<std::int64_t>(rows->size());
    } catch (const soci::soci_error& e) {
      if (cache) cache->erase(std::string(sql));  // the statement may be left half run
      fail(e, sql);
    } catch (...) {
      if (cache) cache->erase(std::string(sql));  // nor kept half read, holding a read lock
      throw;
    }
  }

  void runEach(std::string_view sql, const std::vector<Args>& rows) {
    if (rows.empty()) return;
    const std::size_t width = rows.front().size();
    std::vector<int> kinds(width, 0);  // 0 unknown (all NULL so far), 1 integer, 2 real, 3 text
    for (const auto& row : rows) {
      if (row.size() != width) throw std::logic_error("execEach: rows of different widths");
      for (std::size_t i = 0; i < width; ++i) {
        if (std::holds_alternative<Null>(row[i])) continue;
        const int kind = Prepared::kindOf(row[i]);
        if (kinds[i] && kind != kinds[i])
          throw std::logic_error("execEach: a column holds values of two types");
        kinds[i] = kind;
      }
    }
    for (auto& kind : kinds)
      if (kind == 0) kind = 3;
    BulkCache* cache = dialect() == Dialect::Sqlite ? &db->bulkCacheFor(slot) : nullptr;
    std::unique_ptr<PreparedBulk> once;
    try {
      PreparedBulk* p = statementFor(
          cache, sql, once,
          [&](PreparedBulk& kept) {
            if (kept.kinds != kinds) return false;
            kept.assign(rows);
            return true;
          },
          [&](const std::string& text) {
            return PreparedBulk::make(*session, text, kinds, rows, statementType());
          });
      p->st.execute(true);
    } catch (const soci::soci_error& e) {
      if (cache) cache->erase(std::string(sql));
      fail(e, sql);
    } catch (...) {
      if (cache) cache->erase(std::string(sql));
      throw;
    }
  }

  static Value cell(const soci::row& row, std::size_t i) {
    if (row.get_indicator(i) == soci::i_null) return Null{};
    switch (row.get_properties(i).get_data_type()) {
      case soci::dt_string:
      case soci::dt_xml:
      case soci::dt_blob:
        return row.get<std::string>(i);
      case soci::dt_double:
        return row.get<double>(i);
      case soci::dt_integer:
        return static_cast<std::int64_t>(row.get<int>(i));
      case soci::dt_long_long:
        return static_cast<std::int64_t>(row.get<long long>(i));
      case soci::dt_unsigned_long_long:
        return static_cast<std::int64_t>(row.get<unsigned long long>(i));
      case soci::dt_date: {
        std::tm t = row.get<std::tm>(i);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &t);
        return std::string(buf);
      }
    }
    return Null{};
  }
};

Connection::Connection(std::unique_ptr<Impl> impl) : owned_(std::move(impl)), impl_(owned_.get()) {}
Connection::Connection(Impl* borrowed) : impl_(borrowed) {}
Connection::Connection(Connection&& other) noexcept
    : owned_(std::move(other.owned_)), impl_(std::exchange(other.impl_, nullptr)) {}
Connection::~Connection() = default;

std::int64_t Connection::exec(std::string_view sql, const Args& args) {
  if (impl_->unit && !impl_->inTransaction) begin(impl_->unitSync);
  return impl_->run(sql, args, nullptr);
}

std::vector<Row> Connection::query(std::string_view sql, const Args& args) {
  std::vector<Row> rows;
  impl_->run(sql, args, &rows);
  return rows;
}

void Connection::execEach(std::string_view sql, const std::vector<Args>& rows) {
  if (impl_->unit && !impl_->inTransaction) begin(impl_->unitSync);
  impl_->runEach(sql, rows);
}

std::optional<Row> Connection::queryOne(std::string_view sql, const Args& args) {
  auto rows = query(sql, args);
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

Dialect Connection::dialect() const {
  return impl_->dialect();
}

void Connection::begin(Sync sync) {
  if (dialect() == Dialect::Sqlite) {
    // SQLite refuses to change the setting inside a transaction.
    if (sync == Sync::deferred && !impl_->db->relaxed[impl_->slot]) {
      impl_->db->relaxed[impl_->slot] = 1;
      impl_->run("PRAGMA synchronous=NORMAL", {}, nullptr);
    }
    // A connection leased for a deferred transaction that goes on to a durable one.
    if (sync == Sync::onCommit && !impl_->db->restoreSync(impl_->slot))
      throw Error(503, "db.unavailable");
    impl_->run("BEGIN IMMEDIATE", {}, nullptr);
  } else {
    // Every commit waits for its WAL flush: Sync::deferred changes nothing.
    impl_->run("BEGIN", {}, nullptr);
  }
  impl_->inTransaction = true;
}

void Connection::beginSnapshot() {
  impl_->run(
      dialect() == Dialect::Sqlite ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
      {}, nullptr);
  impl_->inTransaction = true;
}

void Connection::commit() {
  // When it fails, the transaction is still there for rollback() to end.
  impl_->run("COMMIT", {}, nullptr);
  impl_->inTransaction = false;
  impl_->savepoints = 0;
  // The commit stands even when the setting cannot be restored now: the connection is not
  // leased again before it is. A connection leased for a deferred transaction goes back to the
  // pool as it is (Database::transaction ends with the commit).
  if (impl_->leasedFor == Sync::onCommit) impl_->db->restoreSync(impl_->slot);
  auto hooks = std::move(impl_->afterCommit);
  impl_->afterCommit.clear();
  for (auto& hook : hooks) {
    try {
      hook();
    } catch (const std::exception& e) {
      log::error("db.after_commit_failed", {{"problem", e.what()}});
    }
  }
}

void Connection::rollback() {
  impl_->afterCommit.clear();
  impl_->savepoints = 0;
  if (!impl_->inTransaction) return;
  impl_->inTransaction = false;
  try {
    impl_->run("ROLLBACK", {}, nullptr);
  } catch (...) {
    // The connection may be gone; the server rolls back on its own then.
  }
  if (impl_->leasedFor == Sync::onCommit) impl_->db->restoreSync(impl_->slot);
}

void Connection::afterCommit(std::function<void()> fn) {
  if (impl_->inTransaction)
    impl_->afterCommit.push_back(std::move(fn));
  else
    fn();
}

int Connection::savepoint() {
  if (!impl_->inTransaction) begin();
  const int n = ++impl_->savepoints;
  impl_->run("SAVEPOINT oo_" + std::to_string(n), {}, nullptr);
  return n;
}

void Connection::release(int savepoint) {
  impl_->run("RELEASE oo_" + std::to_string(savepoint), {}, nullptr);
  impl_->savepoints = savepoint - 1;
}

void Connection::rollbackTo(int savepoint) noexcept {
  impl_->savepoints = savepoint - 1;
  try {
    impl_->run("ROLLBACK TO oo_" + std::to_string(savepoint), {}, nullptr);
    impl_->run("RELEASE oo_" + std::to_string(savepoint), {}, nullptr);
  } catch (...) {
    // The connection is gone or the transaction with it: the unit's end rolls back.
  }
}

// ---------------------------------------------------------------------------------------------
// Units of work

namespace {
// The units of work this thread is in, innermost first (one per database).
thread_local UnitOfWork* tUnits = nullptr;
}  // namespace

UnitOfWork::UnitOfWork(Database& db) : db_(db), outer_(tUnits) {
  for (auto* u = tUnits; u; u = u->outer_)
    if (&u->db_ == &db) throw std::logic_error("a unit of work inside another on one database");
  tUnits = this;
}

UnitOfWork::~UnitOfWork() {
  if (!ended_) rollback();
}

Connection& UnitOfWork::connection() {
  if (ended_) throw std::logic_error("the unit of work has ended");
  if (!connection_) {
    connection_.emplace(db_.connectFor(Sync::onCommit));
    connection_->impl_->unit = true;
  }
  return *connection_;
}

void UnitOfWork::deferDurability() {
  auto& c = connection();
  if (c.impl_->inTransaction) throw std::logic_error("the unit of work has begun writing");
  c.impl_->unitSync = Sync::deferred;
}

bool Database::deferUnitDurability() {
  for (auto* u = tUnits; u; u = u->outer_)
    if (&u->db_ == this) {
      u->deferDurability();
      return true;
    }
  return false;
}

void UnitOfWork::commit() {
  if (ended_) throw std::logic_error("the unit of work has ended");
  if (connection_ && connection_->impl_->inTransaction) {
    try {
      connection_->commit();
    } catch (...) {
      rollback();
      throw;
    }
  }
  end();
}

void UnitOfWork::rollback() noexcept {
  if (ended_) return;
  if (connection_) connection_->rollback();
  end();
}

void UnitOfWork::end() noexcept {
  for (UnitOfWork** at = &tUnits; *at; at = &(*at)->outer_)
    if (*at == this) {
      *at = outer_;
      break;
    }
  ended_ = true;
  connection_.reset();
}

// ---------------------------------------------------------------------------------------------
// Database

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::~Database() = default;

std::optional<std::string> sqlitePath(const std::string& url) {
  if (url.rfind("sqlite://", 0) != 0) return std::nullopt;
  return url.substr(9);
}

std::unique_ptr<Database> Database::open(const std::string& url, int poolSize,
                                         const std::vector<Attached>& attach) {
  for (const auto& a : attach)
    if (a.name.empty() || a.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != a.name.npos)
      throw std::invalid_argument("attached database name: " + a.name);
  auto impl = std::make_unique<Impl>();
  impl->url = url;
  const int size = std::max(1, poolSize);
  auto path = sqlitePath(url);
  if (path) {
    impl->dialect = Dialect::Sqlite;
    if (path->empty()) throw std::runtime_error("database_url: a sqlite URL needs a file path");
    auto parent = std::filesystem::path(*path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
  } else if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    if (!attach.empty()) throw std::invalid_argument("only SQLite databases attach others");
    impl->dialect = Dialect::Postgres;
  } else {
    throw std::runtime_error("database_url must start with sqlite:// or postgresql://");
  }
  try {
    for (int i = 0; i < size; ++i) {
      impl->sessions.push_back(std::make_unique<soci::session>());
      impl->free.push_back(static_cast<std::size_t>(i));
      impl->caches.emplace_back();
      impl->bulkCaches.emplace_back();
      impl->cacheEpochs.push_back(0);
      impl->relaxed.push_back(0);
      soci::session& s = *impl->sessions.back();
      if (impl->dialect == Dialect::Sqlite) {
        s.open(*soci::factory_sqlite3(), "db=\"" + *path + "\" timeout=10");
        s << "PRAGMA journal_mode=WAL";
        s << "PRAGMA synchronous=FULL";  // an acknowledged commit survives power loss
        s << "PRAGMA foreign_keys=ON";
        s << "PRAGMA busy_timeout=" + std::to_string(kSqliteBusyTimeoutMs);
        // Reads (ledger proofs above all) come straight from the mapped file instead of a
        // read() copy per page; writes still go through the WAL. Up to 2 GB of address space
        // per connection (SQLite's default ceiling), shared pages: a ledger of 10M entries
        // takes about 1.3 GB.
        s << "PRAGMA mmap_size=2147418112";
        s << "PRAGMA journal_size_limit=" + std::to_string(kWalKeepBytes);
        // In place of SQLite's automatic checkpoints (see checkpointAfterCommit).
        sqlite_api::sqlite3_wal_hook(impl->sqliteHandle(static_cast<std::size_t>(i)),
                                     &Impl::checkpointAfterCommit, impl.get());
        for (const auto& a : attach)
          s << "ATTACH DATABASE " + quoted(readOnlyUri(a.path)) + " AS " + a.name;
      } else {
        s.open(*soci::factory_postgresql(), postgresConnInfo(url));
      }
    }
  } catch (const soci::soci_error& e) {
    // The message may quote the connection string; never repeat a password.
    std::string what = e.what();
    auto pw = what.find("password=");
    if (pw != std::string::npos) what = what.substr(0, pw) + "password=…";
    throw std::runtime_error("cannot open database: " + what);
  }
  return std::unique_ptr<Database>(new Database(std::move(impl)));
}

Connection Database::connect() {
  for (auto* u = tUnits; u; u = u->outer_)
    if (&u->db_ == this) return Connection(u->connection().impl_);
  return connectFor(Sync::onCommit);
}

Connection Database::connectApart() {
  return connectFor(Sync::onCommit);
}

Connection* Database::unitConnection() {
  for (auto* u = tUnits; u; u = u->outer_)
    if (&u->db_ == this) return &u->connection();
  return nullptr;
}

void Database::checkApart() {
  if (impl_->dialect != Dialect::Sqlite) return;
  for (auto* u = tUnits; u; u = u->outer_)
    if (&u->db_ == this && u->connection_ && u->connection_->impl_->inTransaction)
      throw std::logic_error(
          "a transaction apart from this thread's unit of work would wait for the unit's own "
          "write lock");
}

Connection Database::connectFor(Sync sync) {
  std::size_t slot = 0;
  soci::session* session = impl_->lease(slot, sync);
  if (!session) throw Error(503, "db.unavailable");
  auto c = std::make_unique<Connection::Impl>();
  c->db = impl_.get();
  c->slot = slot;
  c->session = session;
  c->leasedFor = sync;
  return Connection(std::move(c));
}

Dialect Database::dialect() const {
  return impl_->dialect;
}
const std::string& Database::url() const {
  return impl_->url;
}

int Database::poolSize() const {
  return static_cast<int>(impl_->sessions.size());
}

void Database::forgetPreparedStatements() {
  impl_->schemaEpoch.fetch_add(1);
}

void Database::syncCommitted() {
  auto path = sqlitePath(impl_->url);
  if (!path) return;  // PostgreSQL: every commit was durable when it returned
  auto syncFile = [](const std::string& file, int flags) {
    int fd = ::open(file.c_str(), flags | O_CLOEXEC);
    if (fd < 0) return errno;
    int rc = ::fdatasync(fd) == 0 ? 0 : errno;
    ::close(fd);
    return rc;
  };
  // Deferred commits are in the WAL file, or already in the database file when a checkpoint
  // took them there (it syncs the file) and the last connection removed the WAL.
  int rc = syncFile(*path + "-wal", O_RDONLY);
  if (rc == ENOENT) rc = syncFile(*path, O_RDONLY);
  // A new WAL file is only found after a crash if its directory entry is on disk too.
  if (rc == 0 && !impl_->syncedDirectory.load()) {
    auto dir = std::filesystem::path(*path).parent_path();
    rc = syncFile(dir.empty() ? std::string(".") : dir.string(), O_RDONLY | O_DIRECTORY);
    if (rc == 0) impl_->syncedDirectory.store(true);
  }
  if (rc != 0) throw std::runtime_error("cannot sync " + *path + "-wal: " + std::strerror(rc));
}

bool Database::ping() {
  try {
    auto c = connect();
    auto row = c.queryOne("SELECT 1 AS ok");
    return row && row->integer("ok") == 1;
  } catch (...) {
    return false;
  }
}

void backupSqlite(const std::string& sourcePath, const std::string& targetPath) {
  using namespace sqlite_api;  // SOCI's header puts the SQLite API in this namespace
  sqlite3* src = nullptr;
  sqlite3* dst = nullptr;
  auto closeBoth = [&] {
    if (src) sqlite3_close(src);
    if (dst) sqlite3_close(dst);
  };
  std::string tmp = targetPath + ".partial";
  std::filesystem::remove(tmp);
  if (sqlite3_open_v2(sourcePath.c_str(), &src, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::string msg = src ? sqlite3_errmsg(src) : "out of memory";
    closeBoth();
    throw std::runtime_error("cannot open " + sourcePath + ": " + msg);
  }
  if (sqlite3_open_v2(tmp.c_str(), &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string msg = dst ? sqlite3_errmsg(dst) : "out of memory";
    closeBoth();
    throw std::runtime_error("cannot create " + tmp + ": " + msg);
  }
  sqlite3_busy_timeout(src, kSqliteBusyTimeoutMs);
  sqlite3_backup* b = sqlite3_backup_init(dst, "main", src, "main");
  if (!b) {
    std::string msg = sqlite3_errmsg(dst);
    closeBoth();
    throw std::runtime_error("backup failed: " + msg);
  }
  int rc;
  // All pages in one step, that is in one read transaction: in WAL mode it holds no writer off,
  // and the copy is the database as it was when the step began. Copied in smaller steps, every
  // write in between made SQLite start the copy again, and under steady appends it never ended.
  while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_OK || rc == SQLITE_BUSY ||
         rc == SQLITE_LOCKED) {
    if (rc != SQLITE_OK) sqlite3_sleep(20);
  }
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) {
    std::string msg = sqlite3_errstr(rc);
    closeBoth();
    throw std::runtime_error("backup failed: " + msg);
  }
  closeBoth();
  std::filesystem::rename(tmp, targetPath);
}

}  // namespace onceonly::store
