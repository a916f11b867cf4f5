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
void addRoutes(api::Routes& api, api::Context& ctx);

namespace {

std::vector<WitnessEndpoint> witnessesOf(const std::string& setting) {
  try {
    return parseWitnessList(setting);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("setting 'ledger_witnesses': ") + e.what());
  }
}

// The ledger's section of the configuration ([ledger] in a file, ledger_* elsewhere).
std::vector<ModuleSetting> settings() {
  return {
      // The checkpoints' origin line and the log key's name.
      {"ledger_origin", "onceonly.localhost/ledger",
       [](const std::string& v) {
         if (v.empty() || v.find_first_of(" \t\n+") != std::string::npos)
           throw ConfigError("setting 'ledger_origin': '" + v +
                             "' must be a non-empty name without spaces or '+', e.g. "
                             "gov.example/ledger");
       }},
      // How often a checkpoint is signed (and sent to witnesses) when the tree grew; 0: only on
      // demand and when the latest checkpoint is read.
      {"ledger_checkpoint_seconds", "10", numberFrom("ledger_checkpoint_seconds", 0, 86400)},
      // Witnesses asked to cosign each checkpoint: "<url> <vkey>, ..." (c2sp.org/tlog-witness),
      // or a TOML array of such strings.
      {"ledger_witnesses", "", [](const std::string& v) { witnessesOf(v); }},
      // Cosignatures that make a checkpoint witnessed; 0: all of the witnesses.
      {"ledger_witness_quorum", "0", numberFrom("ledger_witness_quorum", 0, 64)},
  };
}

LogOptions logOptions(const Config& c) {
  LogOptions o;
  o.origin = c.setting("ledger_origin");
  o.checkpointSeconds = c.settingNumber("ledger_checkpoint_seconds");
  o.indexInBackground = c.backgroundWork;
  o.witnesses = witnessesOf(c.setting("ledger_witnesses"));
  const int quorum = c.settingNumber("ledger_witness_quorum");
  if (static_cast<std::size_t>(quorum) > o.witnesses.size())
    throw ConfigError("setting 'ledger_witness_quorum': " + std::to_string(quorum) +
                      " is more than the " + std::to_string(o.witnesses.size()) +
                      " witnesses configured");
  o.quorum = static_cast<std::size_t>(quorum);
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
  m.settings = settings();
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
        s.db, loadOrCreateLogKey(s.config.effectiveKeysDir(), s.config.setting("ledger_origin")),
        logOptions(s.config)));
    if (const int seconds = s.config.settingNumber("ledger_checkpoint_seconds"); seconds > 0)
      s.scheduler.every("ledger.checkpoint", std::chrono::seconds(seconds),
                        [&log] { log.checkpointAndCosign(); });
  };
  m.routes = addRoutes;
  return m;
}

}  // namespace onceonly::ledger
