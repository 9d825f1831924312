//! Phone numbers in E.164 form, and the regions whose national numbers we can
//! complete.
//!
//! A full numbering-plan library (libphonenumber's metadata) weighs several hundred
//! kilobytes of wasm, more than the whole widget may; these rules cover what the
//! product needs (complete a national number typed without country code, reject
//! what cannot be a number) and stay identical in browser and server.

/// Region, country calling code, and whether national numbers start with a trunk
/// `0` that is dropped after the country code.
const REGIONS: &[(&str, &str, bool)] = &[
    ("AT", "43", true),
    ("BE", "32", true),
    ("CH", "41", true),
    ("CZ", "420", false),
    ("DE", "49", true),
    ("DK", "45", false),
    ("ES", "34", false),
    ("FI", "358", true),
    ("FR", "33", true),
    ("GB", "44", true),
    ("IE", "353", true),
    ("IT", "39", false),
    ("LU", "352", false),
    ("NL", "31", true),
    ("NO", "47", false),
    ("PL", "48", false),
    ("PT", "351", false),
    ("SE", "46", true),
];

/// The regions a form may name as its phone region.
pub fn regions() -> impl Iterator<Item = &'static str> {
    REGIONS.iter().map(|(r, _, _)| *r)
}

pub fn is_region(region: &str) -> bool {
    REGIONS.iter().any(|(r, _, _)| *r == region)
}

/// Removes spaces, dashes, dots, slashes and brackets; `00` becomes `+`; a national
/// number (no `+`) gets the country code of `region`. Anything else is left as typed
/// (and fails [`crate::validate::check_phone`]).
pub fn normalize_phone(text: &str, region: Option<&str>) -> String {
    // "+49 (0)30 …": the bracketed 0 is dialled only from inside the country, so it
    // is no digit of the international number.
    let start = text.trim_start();
    let international = start.starts_with('+') || start.starts_with("00");
    let text = if international { text.replacen("(0)", "", 1) } else { text.to_owned() };
    let compact: String = text.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '/' | '(' | ')' | '\u{a0}')).collect();
    if let Some(rest) = compact.strip_prefix("00") {
        return format!("+{rest}");
    }
    if compact.starts_with('+') {
        return compact;
    }
    let rule = region.and_then(|region| REGIONS.iter().find(|(r, _, _)| *r == region));
    match rule {
        Some((_, code, true)) => match compact.strip_prefix('0') {
            Some(national) if !national.is_empty() => format!("+{code}{national}"),
            _ => compact,
        },
        Some((_, code, false)) if !compact.is_empty() => format!("+{code}{compact}"),
        _ => compact,
    }
}

#[cfg(test)]
mod tests {
    // In the wasm32 build the same tests run under wasm-bindgen-test.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn national_numbers_get_the_region_code() {
        assert_eq!(normalize_phone("030 1234567", Some("DE")), "+49301234567");
        assert_eq!(normalize_phone("(0)1 234 56 78", Some("AT")), "+4312345678");
        assert_eq!(normalize_phone("+49 (0)30 1234567", Some("DE")), "+49301234567");
        assert_eq!(normalize_phone("0049 (0)30 1234567", None), "+49301234567");
        assert_eq!(normalize_phone("06 12 34 56 78", Some("IT")), "+390612345678");
        assert_eq!(normalize_phone("0049 30 1234567", Some("AT")), "+49301234567");
        assert_eq!(normalize_phone("+41 44 123 45 67", Some("DE")), "+41441234567");
        // Without a region a national number stays as typed and fails validation.
        assert_eq!(normalize_phone("030 1234567", None), "0301234567");
        assert_eq!(normalize_phone("0", Some("DE")), "0");
    }

    #[test]
    fn regions_are_known() {
        assert!(is_region("DE") && is_region("CH") && !is_region("XX") && !is_region("de"));
        assert_eq!(regions().count(), REGIONS.len());
    }
}
