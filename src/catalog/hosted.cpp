#include "catalog/hosted.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "core/log.h"
#include "core/time.h"
#include "crypto/crypto.h"
#include "store/store.h"

namespace onceonly::catalog {

namespace {

constexpr std::size_t kMaxErrors = 100;
constexpr std::size_t kBatch = 500;
constexpr std::int64_t kProgressEvery = 1000;

const char* formatName(UploadFormat f) {
  switch (f) {
    case UploadFormat::csv:
      return "csv";
    case UploadFormat::json:
      return "json";
    case UploadFormat::ndjson:
      return "ndjson";
  }
  return "csv";
}

bool isPersonal(const Field& f) {
  return f.sensitivity == "personal" || f.sensitivity == "sensitive";
}

// Resident IDs end in a check character that may be written 'x' or 'X'; codes are upper case.
std::string normalSubject(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string subjectIndex(const crypto::KeyRing& keys, const std::string& subject) {
  return keys.index(subject, "record_subject");
}

nlohmann::json errorToJson(const RowError& e) {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : e.params) params[k] = v;
  return {{"row", e.row}, {"column", e.column}, {"code", e.code}, {"params", params}};
}

constexpr const char* kLoadColumns =
    "id, resource_id, format, status, rows_total, rows_done, rows_bad, errors, digest, "
    "started_by, started_at, finished_at";

Load loadFromRow(const store::Row& row) {
  Load l;
  l.id = row.text("id");
  l.resourceId = row.text("resource_id");
  l.format = row.text("format");
  l.status = row.text("status");
  l.rowsTotal = row.integer("rows_total");
  l.rowsDone = row.integer("rows_done");
  l.rowsBad = row.integer("rows_bad");
  l.errors = nlohmann::json::parse(row.text("errors"));
  l.digest = row.text("digest");
  l.startedBy = row.text("started_by");
  l.startedAt = row.text("started_at");
  l.finishedAt = row.optText("finished_at");
  return l;
}

constexpr const char* kUpsert =
    "INSERT INTO catalog_records (resource_id, subject_index, subject_sealed, open_values, "
    "sealed_values, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (resource_id, "
    "subject_index) DO UPDATE SET subject_sealed = excluded.subject_sealed, open_values = "
    "excluded.open_values, sealed_values = excluded.sealed_values, updated_at = "
    "excluded.updated_at";

// The stored row of one record: personal values sealed together, the others in clear.
store::Args recordArgs(const crypto::KeyRing& keys, const Resource& r, const std::string& subject,
                       const std::string& index, const nlohmann::json& values,
                       const std::string& at) {
  nlohmann::json open = nlohmann::json::object();
  nlohmann::json sealed = nlohmann::json::object();
  for (const auto& f : r.fields) {
    auto it = values.find(f.name);
    const nlohmann::json v = it == values.end() ? nlohmann::json() : *it;
    (isPersonal(f) ? sealed : open)[f.name] = v;
  }
  return {r.id,
          index,
          subject.empty() ? std::string() : keys.encrypt(subject),
          open.dump(),
          sealed.empty() ? store::Value(store::Null{}) : store::Value(keys.encrypt(sealed.dump())),
          at};
}

}  // namespace

nlohmann::json loadToJson(const Load& l) {
  return {{"id", l.id},
          {"resource_id", l.resourceId},
          {"format", l.format},
          {"status", l.status},
          {"rows_total", l.rowsTotal},
          {"rows_done", l.rowsDone},
          {"rows_bad", l.rowsBad},
          {"errors", l.errors},
          {"digest", l.digest},
          {"started_by", l.startedBy},
          {"started_at", l.startedAt},
          {"finished_at", l.finishedAt ? nlohmann::json(*l.finishedAt) : nlohmann::json()}};
}

Records::Records(store::Database& db, const crypto::KeyRing& keys, Loaded onLoaded)
    : db_(db), keys_(keys), onLoaded_(std::move(onLoaded)) {
  // Loads a stopped process left unfinished wrote nothing: they are failed, and can be sent again.
  db_.transactionApart([&](store::Connection& c) {
    c.exec(
        "UPDATE catalog_loads SET status = 'failed', finished_at = ? WHERE status IN "
        "('checking', 'loading')",
        {nowRfc3339()});
  });
  worker_ = std::thread([this] { run(); });
}

Records::~Records() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

bool Records::upsert(const Resource& r, const std::string& subjectText,
                     const nlohmann::json& values) {
  FieldErrors e;
  const std::string subject = r.subjectKind == "none" ? "" : normalSubject(subjectText);
  if (r.source != "hosted") throw Error(409, "catalog.not_hosted", {{"code", r.code}});
  if (r.subjectKind == "none") throw Error(409, "catalog.no_subject", {{"code", r.code}});
  if (auto problem = checkSubject(r.subjectKind, subject))
    e.add(FieldLocation::Body, "/subject", "record.subject", {{"reason", *problem}});
  nlohmann::json checked = nlohmann::json::object();
  for (const auto& f : r.fields) {
    auto it = values.find(f.name);
    if (it == values.end()) {
      checked[f.name] = nullptr;
      continue;
    }
    auto v = valueFromJson(f, *it);
    if (v.ok())
      checked[f.name] = std::move(v.value);
    else
      e.add(FieldLocation::Body, "/values/" + f.name, v.code, v.params);
  }
  for (const auto& [name, value] : values.items())
    if (std::none_of(r.fields.begin(), r.fields.end(),
                     [&name = name](const Field& f) { return f.name == name; }))
      e.add(FieldLocation::Body, "/values/" + name, "field.unknown");
  e.throwIfAny();
  const std::string index = subjectIndex(keys_, subject);
  return db_.transaction([&](store::Connection& c) {
    const bool fresh = !c.queryOne(
        "SELECT 1 FROM catalog_records WHERE resource_id = ? AND subject_index = ?", {r.id, index});
    c.exec(kUpsert, recordArgs(keys_, r, subject, index, checked, nowRfc3339()));
    return fresh;
  });
}

std::optional<Record> Records::find(const Resource& r, const std::string& subjectText) {
  const std::string subject = normalSubject(subjectText);
  auto row = db_.connect().queryOne(
      "SELECT open_values, sealed_values, updated_at FROM catalog_records WHERE resource_id = ? "
      "AND subject_index = ?",
      {r.id, subjectIndex(keys_, subject)});
  if (!row) return std::nullopt;
  Record rec;
  rec.subject = subject;
  rec.updatedAt = row->text("updated_at");
  auto open = nlohmann::json::parse(row->text("open_values"));
  nlohmann::json sealed = nlohmann::json::object();
  if (auto text = row->optText("sealed_values"))
    sealed = nlohmann::json::parse(keys_.decrypt(*text));
  rec.values = nlohmann::json::object();
  // The resource as it is now: a field added since the record was written reads as null.
  // A field whose sensitivity changed since is found on the other side.
  for (const auto& f : r.fields) {
    nlohmann::json v;
    if (auto it = sealed.find(f.name); it != sealed.end())
      v = *it;
    else if (auto jt = open.find(f.name); jt != open.end())
      v = *jt;
    rec.values[f.name] = std::move(v);
  }
  return rec;
}

std::int64_t Records::count(const std::string& resourceId) {
  auto row = db_.connect().queryOne(
      "SELECT COUNT(*) AS n FROM catalog_records WHERE resource_id = ?", {resourceId});
  return row ? row->integer("n") : 0;
}

Load Records::startLoad(const Resource& r, UploadFormat format, std::string data,
                        const std::string& by) {
  if (r.source != "hosted") throw Error(409, "catalog.not_hosted", {{"code", r.code}});
  Load l;
  l.id = crypto::newId("load");
  l.resourceId = r.id;
  l.format = formatName(format);
  l.status = "checking";
  l.digest = crypto::sha256Hex(data);
  l.startedBy = by;
  l.startedAt = nowRfc3339();
  auto c = db_.connect();
  c.exec(std::string("INSERT INTO catalog_loads (") + kLoadColumns +
             ") VALUES (?, ?, ?, ?, 0, 0, 0, '[]', ?, ?, ?, NULL)",
         {l.id, l.resourceId, l.format, l.status, l.digest, l.startedBy, l.startedAt});
  auto job = std::make_shared<Job>(Job{r, l, std::move(data), format});
  c.afterCommit([this, job] {
    {
      std::lock_guard lock(mutex_);
      running_[job->load.id] = std::make_shared<Progress>();
      jobs_.push_back(std::move(*job));
    }
    wake_.notify_all();
  });
  return l;
}

std::optional<Load> Records::load(const std::string& id) {
  auto row = db_.connect().queryOne(
      std::string("SELECT ") + kLoadColumns + " FROM catalog_loads WHERE id = ?", {id});
  if (!row) return std::nullopt;
  Load l = loadFromRow(*row);
  std::lock_guard lock(mutex_);
  auto it = running_.find(id);
  if (it != running_.end() && (l.status == "checking" || l.status == "loading")) {
    l.status = it->second->phase.load() == 0 ? "checking" : "loading";
    l.rowsDone = it->second->done.load();
    l.rowsTotal = it->second->total.load();
  }
  return l;
}

std::vector<Load> Records::loads(const std::string& resourceId) {
  std::vector<std::string> ids;
  for (const auto& row : db_.connect().query(
           "SELECT id FROM catalog_loads WHERE resource_id = ? ORDER BY started_at DESC, id "
           "DESC LIMIT 50",
           {resourceId}))
    ids.push_back(row.text("id"));
  std::vector<Load> out;
  for (const auto& id : ids)
    if (auto l = load(id)) out.push_back(std::move(*l));
  return out;
}

void Records::waitIdle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return jobs_.empty() && !busy_; });
}

void Records::run() {
  for (;;) {
    Job job;
    std::shared_ptr<Progress> progress;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
      progress = running_[job.load.id];
      busy_ = true;
    }
    try {
      runJob(job, *progress);
    } catch (const std::exception& e) {
      log::error("catalog.load_failed", {{"load", job.load.id}, {"problem", e.what()}});
      job.load.status = "failed";
      job.load.errors = nlohmann::json::array();
      try {
        finish(job.load);
      } catch (const std::exception& again) {
        log::error("catalog.load_unrecorded", {{"load", job.load.id}, {"problem", again.what()}});
      }
    }
    {
      std::lock_guard lock(mutex_);
      running_.erase(job.load.id);
      busy_ = false;
    }
    idle_.notify_all();
  }
}

void Records::runJob(Job& job, Progress& progress) {
  Load& l = job.load;
  const Resource& r = job.resource;
  // First pass: every row checked, nothing written.
  std::int64_t bad = 0;
  std::size_t lastBadRow = 0;
  const auto rows = readRecords(
      job.format, job.data, r,
      [&](Row&& row) {
        if (static_cast<std::int64_t>(row.number) % kProgressEvery == 0)
          progress.done.store(static_cast<std::int64_t>(row.number));
      },
      [&](RowError&& e) {
        if (e.row != lastBadRow || e.row == 0) ++bad;
        lastBadRow = e.row;
        // The first hundred problems, and the note that there were more.
        if (l.errors.size() < kMaxErrors || e.code == "record.too_many_errors")
          l.errors.push_back(errorToJson(e));
      },
      kMaxErrors);
  l.rowsTotal = static_cast<std::int64_t>(rows);
  progress.total.store(l.rowsTotal);
  if (!l.errors.empty()) {
    l.status = "refused";
    l.rowsBad = bad;
    l.rowsDone = l.rowsTotal;
    return finish(l);
  }
  // Second pass: the rows written in one transaction, so that the file loads whole or not at all.
  progress.done.store(0);
  progress.phase.store(1);
  const std::string at = nowRfc3339();
  db_.transactionApart([&](store::Connection& c) {
    if (r.subjectKind == "none")  // rows without a subject: the file replaces them all
      c.exec("DELETE FROM catalog_records WHERE resource_id = ?", {r.id});
    std::vector<store::Args> batch;
    auto flush = [&] {
      c.execEach(kUpsert, batch);
      batch.clear();
    };
    readRecords(
        job.format, job.data, r,
        [&](Row&& row) {
          const std::string subject =
              r.subjectKind == "none" ? std::string() : normalSubject(row.subject);
          const std::string index = r.subjectKind == "none" ? "#" + std::to_string(row.number)
                                                            : subjectIndex(keys_, subject);
          batch.push_back(recordArgs(keys_, r, subject, index, row.values, at));
          if (batch.size() == kBatch) {
            flush();
            progress.done.store(static_cast<std::int64_t>(row.number));
          }
        },
        [](RowError&&) {}, kMaxErrors);
    if (!batch.empty()) flush();
    l.status = "done";
    l.rowsDone = l.rowsTotal;
    l.finishedAt = nowRfc3339();
    c.exec(
        "UPDATE catalog_loads SET status = ?, rows_total = ?, rows_done = ?, finished_at = ? "
        "WHERE id = ?",
        {l.status, l.rowsTotal, l.rowsDone, *l.finishedAt, l.id});
    if (onLoaded_) onLoaded_(c, l);
  });
}

void Records::finish(const Load& l) {
  db_.transactionApart([&](store::Connection& c) {
    c.exec(
        "UPDATE catalog_loads SET status = ?, rows_total = ?, rows_done = ?, rows_bad = ?, "
        "errors = ?, finished_at = ? WHERE id = ?",
        {l.status, l.rowsTotal, l.rowsDone, l.rowsBad, l.errors.dump(), nowRfc3339(), l.id});
  });
}

}  // namespace onceonly::catalog
