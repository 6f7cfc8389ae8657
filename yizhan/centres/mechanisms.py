"""The operating mechanisms and measures a centre is checked for (source 002 四(一) and 五), shipped
as the standard `centre-mechanisms` of a federation (version 1, published) the first time the
federation's centres are checked, so that the federation edits it like its other standards
(spec §3: standards are data)."""

CODE = "centre-mechanisms"
NAME = "职工服务中心运行机制和措施保障"
SOURCE = "002"
DESCRIPTION = (
    "工作流程、岗位责任、资金管理、联系职工、值班登记等制度及人员、经费保障（考核验收“运行机制和措施保障到位率”）"
)

MECHANISMS = [
    ("work_processes", "工作流程", "制定帮扶、就业、维权、劳动争议调解等各项工作流程"),
    ("post_duties", "工作制度", "建立岗位责任制度"),
    ("staff_code", "工作制度", "建立工作人员守则和内部管理制度"),
    ("fund_management", "工作制度", "建立资金管理制度，实行财务公开"),
    ("contact_workers", "工作制度", "建立联系职工制度"),
    ("hardship_files", "工作制度", "建立困难职工档案管理制度"),
    ("duty_register", "工作制度", "建立信访值班登记制度，值班记录完整"),
    ("supervision", "工作机制", "建立帮扶服务工作监督评价与激励机制"),
    ("reporting", "工作机制", "建立工作情况通报、信息反馈和工作交流制度"),
    ("staffing", "措施保障", "配备专（兼）职工作人员"),
    ("funding", "措施保障", "服务中心建设资金和工作经费纳入预算"),
    ("ledgers", "措施保障", "服务台账齐全，记录及时"),
]
