// The ledger module: the verifiable log of every access to a person's data, its checkpoints,
// proofs and witnesses.
#include <fstream>

#include "api/module.h"
#include "api/routes.h"
#include "core/config.h"
#include "http/client.h"
#include "ledger/log.h"
#include "store/scheduler.h"

namespace onceonly::ledger {
namespace embedded {
extern const EmbeddedFile kFiles[];
extern const std::size_t kFileCount;
}  // namespace embedded

void addRoutes(api::Routes& api, api::Context& ctx);

namespace {

LogOptions logOptions(const Config& c) {
  LogOptions o;
  o.origin = c.ledgerOrigin;
  o.checkpointSeconds = c.ledgerCheckpointSeconds;
  o.indexInBackground = c.backgroundWork;
  try {
    o.witnesses = parseWitnessList(c.ledgerWitnesses);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("setting 'ledger_witnesses': ") + e.what());
  }
  if (static_cast<std::size_t>(c.ledgerWitnessQuorum) > o.witnesses.size())
    throw ConfigError("setting 'ledger_witness_quorum': " + std::to_string(c.ledgerWitnessQuorum) +
                      " is more than the " + std::to_string(o.witnesses.size()) +
                      " witnesses configured");
  o.quorum = static_cast<std::size_t>(c.ledgerWitnessQuorum);
  if (!c.tlsCaFile.empty() && !std::ifstream(c.tlsCaFile))
    throw ConfigError("setting 'tls_ca_file': cannot read " + c.tlsCaFile);
  o.post = [caFile = c.tlsCaFile](const std::string& url, const std::string& body) {
    auto r = http::fetch("POST", url, body, "text/plain; charset=utf-8",
                         {5, std::size_t{64} * 1024, caFile});
    return WitnessReply{r.status, r.contentType, r.body};
  };
  return o;
}

}  // namespace

api::Module module() {
  api::Module m;
  m.name = "ledger";
  m.files = {embedded::kFiles, embedded::kFiles + embedded::kFileCount};
  m.messages = {
      {"ledger.not_yet_checkpointed",
       "No signed checkpoint covers this entry yet; the next one is due within {seconds} seconds.",
       "尚无已签名的检查点涵盖此条目；下一个检查点将在 {seconds} 秒内签发。"},
      {"ledger.stopped",
       "The ledger stopped taking entries and signing checkpoints after a write to disk "
       "failed; it serves again once an operator has restarted it.",
       "账本在一次写盘失败后已停止记录条目和签署检查点；运维人员重启后方可恢复。"},
      {"ledger.unavailable",
       "This access could not be put on the record, so nothing is shown. Try again in {seconds} "
       "seconds.",
       "此次访问无法记录在案，因此不予显示。请在 {seconds} 秒后重试。"},
      {"ledger.entry", "This is not a ledger entry: {problem}.",
       "这不是有效的账本条目：{problem}。"},
      {"ledger.damaged",
       "The ledger's stored data does not add up ({problem}); an operator should run 'onceonly "
       "ledger verify'.",
       "账本存储的数据不一致（{problem}）；运维人员应运行 'onceonly ledger verify'。"},
      {"ledger.none_witnessed", "No checkpoint has enough witness cosignatures yet.",
       "尚无获得足够见证联署的检查点。"},
      {"witness.malformed", "This is not an add-checkpoint request: {reason}.",
       "这不是有效的 add-checkpoint 请求：{reason}。"},
      {"witness.bad_signature",
       "The checkpoint is not signed by a log key this witness trusts: {reason}.",
       "检查点未经本见证方信任的日志密钥签名：{reason}。"},
      {"witness.unknown_log", "Unknown log: {reason}.", "未知的日志：{reason}。"},
      {"witness.fork", "The checkpoint contradicts what this witness cosigned: {reason}.",
       "该检查点与本见证方已联署的记录相矛盾：{reason}。"},
      {"witness.bad_proof", "The consistency proof does not verify: {reason}.",
       "一致性证明未通过验证：{reason}。"},
  };
  m.start = [](api::Startup& s) {
    auto& log = s.services.add(std::make_unique<Log>(
        s.db, loadOrCreateLogKey(s.config.effectiveKeysDir(), s.config.ledgerOrigin),
        logOptions(s.config)));
    if (s.config.ledgerCheckpointSeconds > 0)
      s.scheduler.every("ledger.checkpoint", std::chrono::seconds(s.config.ledgerCheckpointSeconds),
                        [&log] { log.checkpointAndCosign(); });
  };
  m.routes = addRoutes;
  return m;
}

}  // namespace onceonly::ledger
