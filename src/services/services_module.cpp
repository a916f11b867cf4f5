// The services module: the one-window service guide (service items and "one thing" packages).
#include "api/module.h"
#include "api/routes.h"
#include "core/config.h"
#include "services/applications.h"
#include "services/services.h"

namespace onceonly::services {

void addRoutes(api::Routes& api, api::Context& ctx);
void addApplicationRoutes(api::Routes& api, api::Context& ctx);
void seedDemo(api::DemoSeeding& d);

api::Module module() {
  api::Module m;
  m.name = "services";
  m.messages = {
      {"services.promise_beyond_law",
       "The promised time limit may not exceed the statutory one ({statutory} working days).",
       "承诺时限不得超过法定时限（{statutory} 个工作日）。"},
      {"services.no_optional_material",
       "Acceptance with deficiencies needs at least one material that is not core.",
       "容缺受理至少需要一项非核心材料。"},
      {"services.no_such_field", "{code} has no field {field}.", "{code} 没有字段 {field}。"},
      {"services.not_own_department",
       "Only an administrator of the department (or above it) adds its service items.",
       "只有该部门（或其上级）的管理员可以添加办事事项。"},
      {"services.state", "The application is {status}: this step is not possible now.",
       "申请当前状态为 {status}，不能进行此操作。"},
      {"services.changed", "The application changed meanwhile; load it again.",
       "申请已被他人修改，请刷新后重试。"},
      {"services.no_items", "An application needs a service item or a package.",
       "申请需要指定办事事项或一件事套餐。"},
      {"services.item_or_package", "Give either item_id or package_id.",
       "请指定 item_id 或 package_id 之一。"},
      {"services.wrong_applicant", "{code} is for applicants of kind {kind}.",
       "{code} 的申请人类型应为 {kind}。"},
      {"services.item_inactive", "{code} is not open for applications.", "{code} 暂不受理。"},
      {"services.channel", "{code} cannot be applied for through the channel {channel}.",
       "{code} 不能通过 {channel} 渠道申请。"},
      {"services.no_subject", "The applicant's account has no resident ID or credit code.",
       "申请人账户没有身份证号或统一社会信用代码。"},
      {"services.one_identifier", "Give the applicant's resident_id or credit_code (one of them).",
       "请提供申请人的身份证号或统一社会信用代码（二选一）。"},
      {"services.no_account", "No account has this identifier; the applicant registers first.",
       "没有使用该证件号码的账户，请申请人先注册。"},
      {"services.applicant_is_you", "You apply for yourself: leave out applicant.",
       "您为本人申请，无需填写申请人。"},
      {"services.not_applicant",
       "Only the applicant, or the window clerk who started it, may do this.",
       "只有申请人或代办的窗口工作人员可以进行此操作。"},
      {"services.not_filled_in", "{material} is not filled in from shared data.",
       "{material} 不是由共享数据自动填写的材料。"},
      {"services.not_uploadable", "{material} is not uploaded: it is filled in or fetched.",
       "{material} 无需上传：它由表单填写或自动获取。"},
      {"services.upload_type", "A file of type {type} is not accepted here; accepted: {types}.",
       "不接受 {type} 类型的文件，可接受：{types}。"},
      {"services.upload_size", "The file has {size} bytes; at most {max} are accepted.",
       "文件大小为 {size} 字节，最多 {max} 字节。"},
      {"services.upload_content", "The file's content is not a {type} file.",
       "文件内容不是 {type} 格式。"},
      {"services.material_required", "{material} is required.", "{material} 为必需材料。"},
      {"services.commitment_required",
       "{material} may be provided later only with a signed commitment.",
       "{material} 须签署承诺书后方可容缺。"},
      {"services.correction_pending", "Correct this first: {reason}", "请先补正：{reason}"},
      {"services.notice_given",
       "The one-time notice was given already: everything to correct is listed once.",
       "已出具一次性告知，补正事项只告知一次。"},
      {"services.not_window", "Only a clerk of the receiving window or department may do this.",
       "只有受理窗口或部门的工作人员可以进行此操作。"},
      {"services.no_credit_check",
       "Acceptance with deficiencies needs the credit record, which is not configured.",
       "容缺受理需要信用记录核查，但尚未配置。"},
      {"services.credit_unavailable", "The credit record could not be checked ({reason}).",
       "无法核查信用记录（{reason}）。"},
      {"services.serious_dishonesty",
       "The applicant is on the list of serious dishonesty: no acceptance with deficiencies.",
       "申请人被列入严重失信名单，不予容缺受理。"},
      {"services.not_your_task", "Only an approver of the task's department decides it.",
       "只有该任务所属部门的审批人员可以办理。"},
      {"services.task_decided", "The task is {status} already.", "该任务已{status}。"},
      {"services.certificate_incomplete",
       "The application lacks what the certificate {type} needs.",
       "申请信息不足以签发证照 {type}。"},
      {"services.not_decided", "Only a decided application is rated.", "办结后方可评价。"},
      {"services.rated", "The application was rated already.", "该申请已评价。"},
      {"services.not_your_case", "Only the department's staff answer its cases.",
       "只有该部门的工作人员可以处理整改工单。"},
      {"services.case_state", "The case is {status}.", "该工单状态为 {status}。"},
      {"services.calendar", "The calendar is not valid: {reason}", "日历无效：{reason}"},
      {"services.calendar_year", "{date} is not in {year}.", "{date} 不在 {year} 年内。"},
      {"services.period", "The period runs from a date to a later one, ten years at most.",
       "统计期间应从较早日期到较晚日期，最长十年。"},
      {"services.no_department", "Your account belongs to no department.",
       "您的账户不属于任何部门。"},
  };
  m.settings = {
      {"services_utc_offset_minutes", "480", numberFrom("services_utc_offset_minutes", -720, 840)}};
  m.start = [](api::Startup& s) {
    s.services.add(std::make_unique<ServiceCatalog>(s.db));
    s.services.add(std::make_unique<Applications>(
        s.db, s.services, s.keys, s.config.settingNumber("services_utc_offset_minutes")));
  };
  m.routes = [](api::Routes& api, api::Context& ctx) {
    addRoutes(api, ctx);
    addApplicationRoutes(api, ctx);
  };
  m.seedDemo = seedDemo;
  return m;
}

}  // namespace onceonly::services
