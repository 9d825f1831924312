//! Postal addresses: the countries a form can offer and how plausible a postcode is.

use crate::lang::Lang;
use crate::texts;

/// ISO 3166 alpha-2 codes: the EU, the EEA, Switzerland and the United Kingdom.
/// Their names are in the texts of each language ([`texts::countries`]).
pub const COUNTRIES: &[&str] = &[
    "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR", "HU", "IE", "IS", "IT",
    "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
];

pub fn is_country(code: &str) -> bool {
    COUNTRIES.contains(&code)
}

/// The country's name in `lang`, or its code if it is none of [`COUNTRIES`].
pub fn country_name<'a>(code: &'a str, lang: &str) -> &'a str {
    texts::countries(Lang::parse(lang)).iter().find(|(c, _)| *c == code).map_or(code, |(_, name)| *name)
}

/// Whether `postcode` can be a postcode of `country`. Strict for the countries with
/// a simple fixed format; for the others only its length and characters.
pub fn postcode_plausible(country: &str, postcode: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let p = postcode.trim();
    // Every format below is ASCII; checking that first also keeps the fixed byte
    // positions below on character boundaries.
    if !p.is_ascii() {
        return false;
    }
    match country {
        // Germany: five digits, 01001–99998 (00 is not assigned).
        "DE" => digits(p, 5) && !p.starts_with("00"),
        // Austria and Switzerland: four digits, never starting with 0.
        "AT" | "CH" | "LI" => digits(p, 4) && !p.starts_with('0'),
        "BE" | "DK" | "LU" | "NO" | "HU" | "SI" | "CY" | "BG" => digits(p, 4),
        "FR" | "IT" | "ES" | "FI" | "EE" | "HR" | "GR" | "LT" => digits(p, 5),
        // 1234 AB
        "NL" => {
            let compact: String = p.chars().filter(|c| *c != ' ').collect();
            compact.len() == 6
                && digits(&compact[..4], 4)
                && !compact.starts_with('0')
                && compact[4..].chars().all(|c| c.is_ascii_alphabetic())
        }
        // 12-345
        "PL" => p.len() == 6 && digits(&p[..2], 2) && &p[2..3] == "-" && digits(&p[3..], 3),
        // 1234-567
        "PT" => p.len() == 8 && digits(&p[..4], 4) && &p[4..5] == "-" && digits(&p[5..], 3),
        // 123 45
        "SE" | "CZ" | "SK" => {
            let compact: String = p.chars().filter(|c| *c != ' ').collect();
            digits(&compact, 5)
        }
        _ => (2..=10).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-'),
    }
}

#[cfg(test)]
mod tests {
    // In the wasm32 build the same tests run under wasm-bindgen-test.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_postcode_with_other_characters_is_refused_not_a_crash() {
        for (country, postcode) in
            [("PL", "12€4"), ("NL", "ab€x"), ("PT", "1234€5"), ("DE", "1011€"), ("GB", "SW1A 1AΑ")]
        {
            assert!(!postcode_plausible(country, postcode), "{country} {postcode}");
        }
    }

    #[test]
    fn postcodes_of_germany_austria_switzerland() {
        assert!(postcode_plausible("DE", "10115"));
        assert!(postcode_plausible("DE", "01067"));
        assert!(!postcode_plausible("DE", "00123"));
        assert!(!postcode_plausible("DE", "1011"));
        assert!(!postcode_plausible("DE", "101150"));
        assert!(!postcode_plausible("DE", "1O115"));
        assert!(postcode_plausible("AT", "1010"));
        assert!(!postcode_plausible("AT", "0101"));
        assert!(!postcode_plausible("AT", "10100"));
        assert!(postcode_plausible("CH", "8001"));
        assert!(!postcode_plausible("CH", "800"));
    }

    #[test]
    fn postcodes_of_other_formats() {
        assert!(postcode_plausible("NL", "1012 AB"));
        assert!(!postcode_plausible("NL", "1012 A1"));
        assert!(postcode_plausible("PL", "00-950"));
        assert!(!postcode_plausible("PL", "00950"));
        assert!(postcode_plausible("GB", "SW1A 1AA"));
        assert!(!postcode_plausible("GB", "<script>"));
    }

    #[test]
    fn country_names() {
        assert_eq!(country_name("DE", "de"), "Deutschland");
        assert_eq!(country_name("CH", "en"), "Switzerland");
        assert!(is_country("AT") && !is_country("US"));
    }
}
