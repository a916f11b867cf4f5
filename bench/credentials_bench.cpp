// Certificate benchmarks, next to raw libsodium Ed25519 in the same run:
//  - signing a certificate (the VC payload built and signed as a vc+jwt), and issuing one
//    through Credentials::issue on SQLite (status slot, sealing of claims and certificate, the
//    row, one transaction per certificate);
//  - verifying one (every check, the status list's signature checked once per list version)
//    with the trust in memory, and through Credentials::verify against the database.
// The aim: issuing and verifying in process at no less than half the raw Ed25519 rate.
// Run: scripts/build.sh bench credentials_bench && build/bench/credentials_bench
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <filesystem>

#include "api/module.h"
#include "core/time.h"
#include "credentials/credentials.h"
#include "credentials/jose.h"
#include "crypto/crypto.h"
#include "store/store.h"

namespace {

using namespace onceonly;
using namespace onceonly::credentials;
using nlohmann::json;

// A certificate's signing input is about this long (a marriage certificate: ~1.3 kB).
const std::string kMessage(1300, 'x');

void BM_RawEd25519Sign(benchmark::State& state) {
  crypto::init();
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  unsigned char sig[crypto_sign_BYTES];
  for (auto _ : state) {
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(kMessage.data()),
                         kMessage.size(), sk);
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawEd25519Sign);

void BM_RawEd25519Verify(benchmark::State& state) {
  crypto::init();
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(kMessage.data()),
                       kMessage.size(), sk);
  for (auto _ : state) {
    benchmark::DoNotOptimize(crypto_sign_verify_detached(
        sig, reinterpret_cast<const unsigned char*>(kMessage.data()), kMessage.size(), pk));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawEd25519Verify);

// A platform on a scratch SQLite database: one department, one certificate type.
struct Platform {
  std::filesystem::path dir;
  std::unique_ptr<store::Database> db;
  std::optional<crypto::KeyRing> keys;
  std::unique_ptr<Credentials> creds;
  CredentialType type;
  std::string orgId = "org_aaaaaaaaaaaaaaaa";

  Platform() {
    crypto::init();
    dir = std::filesystem::temp_directory_path() / "onceonly-bench-credentials";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    db = store::Database::open("sqlite://" + (dir / "bench.db").string(), 4);
    db->migrate(api::migrationFiles());
    keys = crypto::KeyRing::loadOrCreate(dir / "keys");
    const auto now = nowRfc3339();
    db->connect().exec(
        "INSERT INTO orgs (id, code, name_zh, name_en, level, kind, path, created_at, "
        "updated_at) VALUES (?, 'CAB', '民政局', 'Civil Affairs', 'city', 'department', ?, ?, ?)",
        {orgId, "/" + orgId + "/", now, now});
    creds = std::make_unique<Credentials>(*db, *keys, "https://gov.example.cn");
    creds->setOrgCheck([this](const std::string& id) { return id == orgId; });
    CredentialType t;
    t.code = "marriage_certificate";
    t.issuerOrgId = orgId;
    t.nameZh = "结婚证";
    t.nameEn = "Marriage certificate";
    t.subjectKind = "person";
    for (const char* f :
         {"holder_name", "holder_id_number", "spouse_name", "spouse_id_number", "certificate_no"})
      t.fields.push_back({f, "string", f, f, true});
    t.fields.push_back({"registered_on", "date", "登记日期", "Registered on", true});
    t.createdBy = "bench";
    type = creds->defineType(t);
  }
  IssueInput input() const {
    IssueInput in;
    in.typeId = type.id;
    in.subject = "44030519850312001X";
    in.claims = {{"holder_name", "张伟"},         {"holder_id_number", "44030519850312001X"},
                 {"spouse_name", "王芳"},         {"spouse_id_number", "44030519920708002X"},
                 {"registered_on", "2020-05-20"}, {"certificate_no", "J440305-2020-001234"}};
    return in;
  }
  Issued issueOne() {
    return db->transaction(
        [&](store::Connection& c) { return creds->issue(c, type, input(), "bench"); });
  }
};

Platform& platform() {
  static Platform p;
  return p;
}

void BM_SignCertificate(benchmark::State& state) {
  auto key = crypto::Ed25519Key::generate();
  auto payload = json::parse(
      std::get<jose::Jws>(jose::parseCompact(platform().issueOne().credential.jwt)).payload.dump());
  for (auto _ : state) {
    payload["iat"] = payload["iat"].get<std::int64_t>() + 1;  // a new certificate each time
    benchmark::DoNotOptimize(jose::signCompact({{"typ", "vc+jwt"}, {"kid", "k"}}, payload, key));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignCertificate);

void BM_IssueCertificate(benchmark::State& state) {
  auto& p = platform();
  for (auto _ : state) benchmark::DoNotOptimize(p.issueOne());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IssueCertificate)->Unit(benchmark::kMicrosecond);

void BM_VerifyCertificate(benchmark::State& state) {
  auto& p = platform();
  const auto jwt = p.issueOne().credential.jwt;
  if (!p.creds->verify(jwt, {}).valid) state.SkipWithError("the certificate does not verify");
  for (auto _ : state) benchmark::DoNotOptimize(p.creds->verify(jwt, {}));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyCertificate)->Unit(benchmark::kMicrosecond);

// The same verification with the trust in memory: the checks alone, without the database reads
// of the key and the status list's version.
void BM_VerifyCertificateTrustInMemory(benchmark::State& state) {
  auto& p = platform();
  const auto jwt = p.issueOne().credential.jwt;
  const auto kid = std::get<jose::Jws>(jose::parseCompact(jwt)).header["kid"].get<std::string>();
  const auto key = *p.creds->keyByKid(kid);
  const auto listUrl = std::get<jose::Jws>(jose::parseCompact(jwt))
                           .payload["credentialStatus"][0]["statusListCredential"]
                           .get<std::string>();
  std::map<std::string, std::shared_ptr<const std::string>> lists;
  for (const char* purpose : {"revocation", "suspension"}) {
    auto url = listUrl.substr(0, listUrl.rfind('/') + 1) + purpose;
    lists[url] = p.creds->statusListAt(url);
  }
  Trust t;
  t.key = [&](const std::string& k) -> std::optional<IssuerKeyInfo> {
    if (k != kid) return std::nullopt;
    return IssuerKeyInfo{key.orgId, key.publicKey};
  };
  t.issuerOrg = [&](const std::string& url) { return p.creds->orgOfIssuerUrl(url); };
  t.statusList = [&](const std::string& url) { return lists.at(url); };
  Verifier verifier(t);
  if (!verifier.verify(jwt, {}).valid) state.SkipWithError("the certificate does not verify");
  for (auto _ : state) benchmark::DoNotOptimize(verifier.verify(jwt, {}));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyCertificateTrustInMemory)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
