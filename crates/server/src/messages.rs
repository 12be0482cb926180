//! Chinese texts for every stable error code. English texts come from the errors'
//! own `Display`; a code missing here falls back to a generic Chinese sentence.

/// The Chinese message for an error code.
pub fn zh(code: &str) -> Option<&'static str> {
    Some(match code {
        "uscc_length" => "统一社会信用代码应为18位",
        "uscc_invalid_character" => "统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）",
        "uscc_region_not_numeric" => "统一社会信用代码第3至8位应为数字行政区划代码",
        "uscc_organisation_check_character" => "统一社会信用代码中的组织机构代码校验码错误",
        "uscc_check_character" => "统一社会信用代码校验码错误，请核对",
        "uscc_legacy_check_character" => {
            "该统一社会信用代码校验码不符合国家标准，按试点地区历史代码接收"
        }
        "gtin_length" => "商品条码（GTIN）应为8、12、13或14位数字",
        "gtin_not_numeric" => "商品条码（GTIN）只能包含数字",
        "gtin_check_digit" => "商品条码（GTIN）校验位错误",
        "licence_food_check_digit" | "licence_food_check_digit_mismatch" => {
            "食品生产许可证编号校验码错误"
        }
        "licence_food_kind" | "licence_food_length" | "licence_food_not_numeric" => {
            "食品生产许可证编号应为SC加14位数字"
        }
        "licence_industrial_format" => "工业产品生产许可证编号格式应为XK××-×××-×××××",
        "licence_province" => "许可证编号中的省份简称无法识别",
        "licence_unknown_format" => "无法识别的许可证编号格式",
        "region_format" => "行政区划代码应为6位数字",
        "region_unknown" => "未知的行政区划代码",
        "page" => "分页参数有误：page 从 1 开始，per_page 为 1 至 1000",
        "licence_transition_not_allowed" => "许可证当前状态下不允许该操作",
        "licence_reason_required" => "该操作需要填写理由",
        "licence_field_required" => "该操作缺少必填项",
        "licence_validity" => "许可证有效期不正确",
        "licence_number_kind" => "许可证编号与许可证类别不符",
        "licence_number_taken" => "该许可证编号已被使用",
        "licence_scope_empty" => "许可范围至少包含一个产品类别",
        "attachment_empty" => "文件为空",
        "attachment_too_large" => "文件过大",
        "attachment_type" => "只接受 PNG、JPEG、GIF 图片和 PDF 文件",
        "attachment_name" => "文件名不能包含路径，且不超过200个字符",
        "enterprise_exists" => "该统一社会信用代码的企业已登记",
        "uscc_taken" => "该统一社会信用代码已被登记",
        "gtin_taken" => "该商品条码已被其他产品使用",
        "username_taken" => "用户名已被占用",
        "username_format" => "用户名为3至64位字母、数字或 _ . - @",
        "password_too_short" => "密码至少8位",
        "category_unknown" => "未知的产品类别",
        "record_kind" => "未知的监管记录类型",
        "organisation_kind" => "机构类型不符",
        "organisation_unknown" => "未找到该统一社会信用代码对应的机构",
        "membership" => "用户所属机构与角色不符",
        "text_too_long" => "文本过长",
        "required" => "缺少必填项",
        "date_format" => "日期格式应为 YYYY-MM-DD",
        "invalid_value" => "取值无效",
        "immutable_field" => "该字段登记后不可修改",
        "invalid_upload" => "上传内容有误",
        "malformed_json" => "请求体不是有效的 JSON",
        "invalid_json" => "请求体中的字段类型或取值有误",
        "unsupported_media_type" => "请求的内容类型不受支持",
        "invalid_query" => "查询参数有误",
        "invalid_path" => "路径参数有误",
        "payload_too_large" => "请求体过大",
        "not_found" => "未找到，或您无权查看",
        "unauthorized" => "请先登录或提供有效的访问令牌",
        "forbidden" => "您的角色无权执行此操作",
        "login_failed" => "用户名或密码错误",
        "csrf" => "表单已失效，请刷新页面后重试",
        "session_expired" => "登录已过期，请重新登录",
        "internal" => "服务器内部错误，请稍后再试",
        "unavailable" => "服务暂不可用",
        _ => return None,
    })
}
