// The credentials module: electronic certificates that departments issue once, holders keep in
// their wallet, and anyone verifies with a JOSE library.
#include "api/module.h"
#include "api/routes.h"
#include "catalog/catalog.h"
#include "credentials/credentials.h"
#include "exchange/exchange.h"
#include "identity/identity.h"

namespace onceonly::credentials {

void addRoutes(api::Routes& api, api::Context& ctx);
void seedDemo(api::DemoSeeding& d);

namespace {

// The exchange's source for resources declared from certificate types: another department,
// under its grant and with the holder's consent, fetches the claims of the holder's current
// certificate instead of asking for a copy.
class CredentialSource : public exchange::Source {
 public:
  explicit CredentialSource(Credentials& c) : c_(c) {}
  std::optional<nlohmann::json> fetch(const catalog::Resource& r, const std::string&,
                                      const std::string& subject,
                                      const std::vector<std::string>&) override {
    return c_.currentClaims(r.id, subject);
  }

 private:
  Credentials& c_;
};

void checkPublicUrl(const std::string& v) {
  const bool scheme = v.rfind("http://", 0) == 0 || v.rfind("https://", 0) == 0;
  if (!scheme || v.size() < 10 || v.find_first_of(" #?") != std::string::npos)
    throw ConfigError(
        "credentials_public_url: an http:// or https:// URL without query or fragment, as the "
        "platform is reached from outside (e.g. https://gov.example.cn)");
}

}  // namespace

api::Module module() {
  api::Module m;
  m.name = "credentials";
  m.messages = {
      {"credentials.no_department", "Only staff of a department define and issue certificates.",
       "只有部门工作人员可以定义和签发证照。"},
      {"credentials.not_issuer", "Only the issuing department's approvers may do this.",
       "只有签发部门的审批人员可以执行此操作。"},
      {"credentials.not_department",
       "Only staff of the issuing department (or an administrator above it) may do this.",
       "只有签发部门（或其上级管理员）的工作人员可以执行此操作。"},
      {"credentials.not_holder", "Only the holder may do this with the certificate.",
       "只有证照持有人可以执行此操作。"},
      {"credentials.subject", "Not a valid identifier of the holder: {reason}.",
       "持证主体标识无效：{reason}。"},
      {"credentials.period", "The end of validity must come after its start and after now.",
       "有效期截止时间必须晚于起始时间和当前时间。"},
      {"credentials.status_transition", "A certificate that is {status} cannot take \"{action}\".",
       "证照当前状态为 {status}，不能执行“{action}”。"},
      {"credentials.holder_jwk", "Not an Ed25519 public key as a JWK (kty OKP, crv Ed25519, x).",
       "不是 Ed25519 公钥 JWK（kty OKP、crv Ed25519、x）。"},
      {"credentials.resource_declared",
       "This certificate type is declared as a catalog resource already.",
       "该证照类型已登记为数据目录资源。"},
      {"credentials.reserved_field",
       "{name} has a meaning of its own in a certificate: choose another field name.",
       "{name} 在电子证照中有专门含义，请换一个字段名。"},
      {"credentials.not_valid", "The certificate is {status}: it is not shown any more.",
       "该证照状态为 {status}，不能再出示。"},
      {"credentials.qr_too_long",
       "This certificate is too long for a QR code: download it and show the file instead.",
       "该证照内容过长，无法生成二维码：请下载证照文件出示。"},
      {"credentials.qr_title", "Verification link of an electronic certificate",
       "电子证照核验链接"},
      {"credentials.skipped", "Not checked: it does not apply, or an earlier check failed.",
       "未检查：不适用，或前一项检查未通过。"},
      {"credentials.pass.format", "Well formed, signed with EdDSA.", "格式正确，使用 EdDSA 签名。"},
      {"credentials.pass.signature", "The signature is the issuer's, by a published key.",
       "签名来自签发机关已公布的密钥。"},
      {"credentials.pass.issuer", "The issuer is a department of this government.",
       "签发机关是本级政府的部门。"},
      {"credentials.pass.validity", "Within its period of validity.", "在有效期内。"},
      {"credentials.pass.status", "Neither revoked nor suspended (status list checked).",
       "未被撤销或暂停（已查验状态列表）。"},
      {"credentials.pass.disclosures", "Every disclosed field was issued in this certificate.",
       "每个披露的字段均由该证照签发。"},
      {"credentials.pass.key_binding", "Presented by its holder (key binding verified).",
       "由持有人出示（持有人密钥绑定已验证）。"},
      {"credentials.reason.malformed", "This is not a certificate in a form we can read.",
       "这不是可识别格式的证照。"},
      {"credentials.reason.typ", "The token is not of a certificate type (typ).",
       "令牌类型（typ）不是证照。"},
      {"credentials.reason.alg", "Only EdDSA signatures are accepted.", "只接受 EdDSA 签名。"},
      {"credentials.reason.kid_unknown", "Signed with a key no issuer has published.",
       "签名所用密钥不是任何签发机关公布的密钥。"},
      {"credentials.reason.signature", "The signature does not match: the content was changed.",
       "签名不符：内容已被篡改。"},
      {"credentials.reason.issuer_unknown",
       "The issuer is not the department whose key signed it, or not in the organisation tree.",
       "签发机关与签名密钥所属部门不符，或不在组织机构中。"},
      {"credentials.reason.not_yet_valid", "Not valid yet.", "尚未生效。"},
      {"credentials.reason.expired", "Expired.", "已过期。"},
      {"credentials.reason.revoked", "Revoked by its issuer.", "已被签发机关撤销。"},
      {"credentials.reason.suspended", "Suspended by its issuer.", "已被签发机关暂停。"},
      {"credentials.reason.status_unavailable",
       "Its status list could not be had or did not verify.",
       "无法获取状态列表，或状态列表验证未通过。"},
      {"credentials.reason.disclosure_malformed", "A disclosure is malformed.",
       "某项披露格式错误。"},
      {"credentials.reason.disclosure_not_issued",
       "A disclosed field was not issued in this certificate.",
       "某个披露的字段并非该证照签发的内容。"},
      {"credentials.reason.disclosure_duplicate", "A field is disclosed twice.",
       "某个字段被重复披露。"},
      {"credentials.reason.key_binding_missing", "The holder's signature (key binding) is missing.",
       "缺少持有人签名（密钥绑定）。"},
      {"credentials.reason.key_binding_signature",
       "The holder's signature does not verify with the key bound to the certificate.",
       "持有人签名与证照绑定的密钥不符。"},
      {"credentials.reason.key_binding_stale",
       "The holder's signature is too old or from the future.",
       "持有人签名时间过早或晚于当前时间。"},
      {"credentials.reason.audience", "The presentation was made for another verifier.",
       "该出示是面向其他核验方的。"},
      {"credentials.reason.nonce", "The presentation answers another request (nonce).",
       "该出示对应的是其他核验请求（nonce）。"},
      {"credentials.reason.sd_hash", "The holder's signature covers another presentation.",
       "持有人签名对应的是另一份出示内容。"},
  };
  m.settings = {{"credentials_public_url", "http://127.0.0.1:8080", checkPublicUrl}};
  m.start = [](api::Startup& s) {
    auto& creds = s.services.add(
        std::make_unique<Credentials>(s.db, s.keys, s.config.setting("credentials_public_url")));
    auto& identity = s.services.get<identity::Identity>();
    creds.setOrgCheck(
        [&identity](const std::string& orgId) { return identity.findOrg(orgId).has_value(); });
    auto& source = s.services.add(std::make_unique<CredentialSource>(creds));
    s.services.get<exchange::Exchange>().setSource("credential", &source);
  };
  m.routes = addRoutes;
  m.seedDemo = seedDemo;
  return m;
}

}  // namespace onceonly::credentials
