//! Postal addresses: the countries a form can offer and how plausible a postcode is.

/// ISO 3166 alpha-2 code, English and German name: the EU, the EEA, Switzerland and
/// the United Kingdom.
pub const COUNTRIES: &[(&str, &str, &str)] = &[
    ("AT", "Austria", "Österreich"),
    ("BE", "Belgium", "Belgien"),
    ("BG", "Bulgaria", "Bulgarien"),
    ("CH", "Switzerland", "Schweiz"),
    ("CY", "Cyprus", "Zypern"),
    ("CZ", "Czechia", "Tschechien"),
    ("DE", "Germany", "Deutschland"),
    ("DK", "Denmark", "Dänemark"),
    ("EE", "Estonia", "Estland"),
    ("ES", "Spain", "Spanien"),
    ("FI", "Finland", "Finnland"),
    ("FR", "France", "Frankreich"),
    ("GB", "United Kingdom", "Vereinigtes Königreich"),
    ("GR", "Greece", "Griechenland"),
    ("HR", "Croatia", "Kroatien"),
    ("HU", "Hungary", "Ungarn"),
    ("IE", "Ireland", "Irland"),
    ("IS", "Iceland", "Island"),
    ("IT", "Italy", "Italien"),
    ("LI", "Liechtenstein", "Liechtenstein"),
    ("LT", "Lithuania", "Litauen"),
    ("LU", "Luxembourg", "Luxemburg"),
    ("LV", "Latvia", "Lettland"),
    ("MT", "Malta", "Malta"),
    ("NL", "Netherlands", "Niederlande"),
    ("NO", "Norway", "Norwegen"),
    ("PL", "Poland", "Polen"),
    ("PT", "Portugal", "Portugal"),
    ("RO", "Romania", "Rumänien"),
    ("SE", "Sweden", "Schweden"),
    ("SI", "Slovenia", "Slowenien"),
    ("SK", "Slovakia", "Slowakei"),
];

pub fn is_country(code: &str) -> bool {
    COUNTRIES.iter().any(|(c, _, _)| *c == code)
}

pub fn country_name<'a>(code: &'a str, lang: &str) -> &'a str {
    COUNTRIES.iter().find(|(c, _, _)| *c == code).map_or(code, |(_, en, de)| if lang == "de" { de } else { en })
}

/// Whether `postcode` can be a postcode of `country`. Strict for the countries with
/// a simple fixed format; for the others only its length and characters.
pub fn postcode_plausible(country: &str, postcode: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let p = postcode.trim();
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
