// The store module: the only place that speaks SQL to a database library. Other modules get a
// Database, lease a Connection for one unit of work (or a transaction), and run statements with
// `?` placeholders and bound values; nothing is ever spliced into SQL text.
//
// Backends: SQLite (sqlite:///abs/path.db, WAL, foreign keys on, busy timeout) and PostgreSQL
// (postgresql://user@host:port/db?options). One Database owns a fixed pool of connections;
// Connection objects are leases and return to the pool when destroyed.
//
// Threads: a Database may be shared by any number of threads; a Connection (and a Transaction)
// belongs to the thread that leased it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/embedded.h"

namespace onceonly::store {

// A value bound to or read from SQL. Booleans are integers 0/1 and times are RFC 3339 text on
// every backend, so the same SQL runs on both.
using Null = std::monostate;
using Value = std::variant<Null, std::int64_t, double, std::string>;
using Args = std::vector<Value>;

enum class Dialect { Sqlite, Postgres };

// When a transaction's commit reaches the disk. Sync::deferred is for group commit: on SQLite
// the commit writes the WAL without waiting for the disk (synchronous=NORMAL for that
// transaction), and nothing it wrote may be acknowledged until Database::syncCommitted() has
// returned after it. Other connections see it from its commit. PostgreSQL commits durably
// either way.
enum class Sync { onCommit, deferred };

// One result row; columns by name (lower case as the database reports them).
class Row {
 public:
  Row(std::shared_ptr<const std::vector<std::string>> names, std::vector<Value> values);

  bool isNull(std::string_view column) const;
  std::string text(std::string_view column) const;  // "" when NULL
  std::optional<std::string> optText(std::string_view column) const;
  // Moves a text value out of the row, for large values read once ("" when NULL).
  std::string takeText(std::string_view column);
  std::int64_t integer(std::string_view column) const;  // 0 when NULL
  std::optional<std::int64_t> optInteger(std::string_view column) const;
  double real(std::string_view column) const;
  const Value& at(std::string_view column) const;
  const std::vector<std::string>& columns() const { return *names_; }

 private:
  std::shared_ptr<const std::vector<std::string>> names_;
  std::vector<Value> values_;
};

class Database;
class UnitOfWork;

// A leased connection. exec/query throw onceonly::Error (503 db.unavailable) when the database
// cannot be reached and store::SqlError for everything else (a bug or a violated constraint).
class Connection {
 public:
  ~Connection();
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) = delete;

  // Runs one statement; returns the number of rows changed.
  std::int64_t exec(std::string_view sql, const Args& args = {});
  std::vector<Row> query(std::string_view sql, const Args& args = {});
  std::optional<Row> queryOne(std::string_view sql, const Args& args = {});
  // Prepares one statement and runs it once per row of arguments (SOCI bulk binding): for
  // SQLite, many inserts at the cost of one prepare. Each column holds one type (or NULL).
  void execEach(std::string_view sql, const std::vector<Args>& rows);
  Dialect dialect() const;

  // Transactions. SQLite takes the write lock at begin (BEGIN IMMEDIATE) so two writers never
  // deadlock on lock upgrade.
  void begin(Sync sync = Sync::onCommit);
  // A read-only transaction whose statements all see the database as it was at its first read
  // (SQLite: a deferred transaction; PostgreSQL: REPEATABLE READ READ ONLY). It takes no write
  // lock; end it with commit() or rollback(), or let the connection go, which rolls it back.
  void beginSnapshot();
  // commit() runs them and rollback() drops them.
  void commit();
  void rollback();
  // Runs `fn` once what this connection's transaction wrote has committed, or at once when it
  // is in none (what it wrote is committed already). Dropped when the transaction rolls back.
  // For telling another thread that there is work, never for work that must happen.
  void afterCommit(std::function<void()> fn);

 private:
  friend class Database;
  friend class UnitOfWork;
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  explicit Connection(Impl* borrowed);  // the unit of work's own connection, not returned
  // Savepoints of Database::transaction() inside a unit of work.
  int savepoint();
  void release(int savepoint);
  void rollbackTo(int savepoint) noexcept;
  std::unique_ptr<Impl> owned_;
  Impl* impl_ = nullptr;
};

// Raised for SQL failures other than an unreachable database. isUniqueViolation() lets callers
// turn a duplicate key into a 409 without parsing messages themselves.
class SqlError : public std::runtime_error {
 public:
  SqlError(const std::string& what, bool unique) : std::runtime_error(what), unique_(unique) {}
  bool isUniqueViolation() const { return unique_; }

 private:
  bool unique_;
};

struct Migration {
  int version = 0;
  std::string name;
  std::string sql;
};

class Database {
 public:
  // SQLite: every session also sees other database files, read-only, under schema names
  // (ATTACH), so that one statement can read there and write here; a transaction never locks
  // them for writing. Names are lower-case letters and '_'.
  struct Attached {
    std::string name;
    std::string path;
  };
  // Opens the pool; throws std::runtime_error with the reason when the URL is bad or the
  // database cannot be opened.
  static std::unique_ptr<Database> open(const std::string& url, int poolSize,
                                        const std::vector<Attached>& attach = {});
  ~Database();

  // A connection for statements; inside a UnitOfWork on this thread, the unit's own.
  Connection connect();
  // A connection of the pool even inside a unit of work (see transactionApart()).
  Connection connectApart();
  Dialect dialect() const;
  const std::string& url() const;

  // Runs fn inside a transaction on a leased connection: committed when fn returns, rolled back
  // when it throws (the exception is rethrown). Inside a UnitOfWork on this thread, fn runs in
  // the unit's transaction under a savepoint instead: what it wrote commits with the unit, and
  // is undone alone when it throws.
  template <class F>
  auto transaction(F&& fn, Sync sync = Sync::onCommit)
      -> decltype(fn(std::declval<Connection&>())) {
    if (Connection* unit = unitConnection()) {
      const int savepoint = unit->savepoint();
      try {
        if constexpr (std::is_void_v<decltype(fn(*unit))>) {
          fn(*unit);
          unit->release(savepoint);
          return;
        } else {
          auto result = fn(*unit);
          unit->release(savepoint);
          return result;
        }
      } catch (...) {
        unit->rollbackTo(savepoint);
        throw;
      }
    }
    return transactionApart(std::forward<F>(fn), sync);
  }

  // A transaction of its own, outside any unit of work: what must stand even when the caller's
  // unit rolls back (a failed sign-in's count), or bookkeeping that is not part of the caller's
  // change (a checkpoint). On SQLite it throws std::logic_error once this thread's unit has
  // written, since it would wait for the unit's own write lock.
  template <class F>
  auto transactionApart(F&& fn, Sync sync = Sync::onCommit)
      -> decltype(fn(std::declval<Connection&>())) {
    checkApart();
    Connection c = connectFor(sync);
    c.begin(sync);
    try {
      if constexpr (std::is_void_v<decltype(fn(c))>) {
        fn(c);
        c.commit();
      } else {
        auto result = fn(c);
        c.commit();
        return result;
      }
    } catch (...) {
      c.rollback();
      throw;
    }
  }

  // deferDurability() on this thread's unit of work on this database; false outside one.
  bool deferUnitDurability();

  // Makes every transaction committed before the call durable, deferred ones included: on
  // SQLite one fdatasync of the WAL file (or of the database file once a checkpoint has folded
  // the WAL in), on PostgreSQL nothing. Throws when that fails.
  void syncCommitted();

  // Applies the migrations among `files` (the modules' migrations/*.sql, see migrations()) not
  // applied yet, in version order, each in its own transaction. Safe to run from several
  // processes at once (SQLite write lock, PostgreSQL advisory lock). Returns the number applied.
  int migrate(const std::vector<EmbeddedFile>& files);
  int schemaVersion();
  int poolSize() const;
  // True when a trivial query answers (readiness).
  bool ping();

  struct Impl;  // opaque; public so Connection's implementation can name it

 private:
  explicit Database(std::unique_ptr<Impl> impl);
  friend class UnitOfWork;
  // A connection for one transaction of that kind (see Database::Impl::lease).
  Connection connectFor(Sync sync);
  // The connection of this thread's unit of work on this database, in its transaction; nullptr
  // outside one.
  Connection* unitConnection();
  void checkApart();
  // After a migration: statements prepared before it may name tables or columns it changed.
  void forgetPreparedStatements();
  std::unique_ptr<Impl> impl_;
};

// A unit of work: from its start until commit() or its end, everything this thread does on
// `db` (connect(), transaction()) shares one connection, and what it writes one transaction,
// so a change and its side effects (the audit record of the write, its ledger entries in the
// outbox) commit together or not at all. The transaction begins at the unit's first write
// (SQLite: BEGIN IMMEDIATE), so reads before it take no write lock. Ends rolled back unless
// committed. One unit per database and thread at a time.
class UnitOfWork {
 public:
  explicit UnitOfWork(Database& db);
  ~UnitOfWork();
  UnitOfWork(const UnitOfWork&) = delete;
  UnitOfWork& operator=(const UnitOfWork&) = delete;

  // The unit's connection (a lease taken on first use).
  Connection& connection();
  // The unit's commit does not wait for the disk (Sync::deferred): for a write that answers only
  // once a later syncCommitted() has returned (the ledger's group commit), which makes it
  // durable with everything committed before. Before the unit's first write.
  void deferDurability();
  // Commits what the unit wrote and ends it; when the commit fails it throws, with nothing
  // committed. After either, this thread's statements go to the pool again.
  void commit();
  // Undoes what the unit wrote and ends it.
  void rollback() noexcept;

 private:
  friend class Database;
  void end() noexcept;
  Database& db_;
  UnitOfWork* outer_;  // the unit of another database this thread was in
  std::optional<Connection> connection_;
  bool ended_ = false;
};

// The migrations among `files` for a dialect, in version order. Files are NNNN_name.sql (both
// dialects) or NNNN_name.sqlite.sql / NNNN_name.pg.sql (one dialect); versions are one sequence
// across all modules. Throws std::logic_error when two files of different names claim one
// version, or a name does not start with four digits and '_'.
std::vector<Migration> migrations(const std::vector<EmbeddedFile>& files, Dialect dialect);

// The filesystem path of a sqlite:// URL; nullopt for other URLs.
std::optional<std::string> sqlitePath(const std::string& url);

// Consistent copy of a live SQLite database through SQLite's online backup API.
void backupSqlite(const std::string& sourcePath, const std::string& targetPath);

}  // namespace onceonly::store
