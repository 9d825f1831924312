//! Calculations: values a form computes from its answers, such as a score or a total.
//!
//! A calculation field holds a [`Formula`] of sums and products over constants and
//! earlier answers. The arithmetic is exact ([`Exact`]: an integer and a number of
//! decimal places), so `0.1 + 0.2` is `0.3` in the browser and on the server alike;
//! a result too large to hold exactly has no value rather than a rounded one. The
//! browser writes the value into the envelope and the visitor signs it; the server
//! computes it again and refuses an envelope that says otherwise.

use std::fmt;

use serde::{Deserialize, Serialize};

// Formulas as text: `price * quantity + 4.95`.
mod notation;
pub use notation::MAX_FORMULA_CHARS;

/// How a calculation's value is computed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Formula {
    /// A constant, written as an exact decimal (`"0.19"`, `"-1"`).
    Number { value: String },
    /// The number an earlier field's answer stands for: a number as typed, a rating's
    /// or scale's point, the score of the chosen option (the sum of the chosen ones
    /// for a multiple choice and over the rows of a matrix), 1 for yes and 0 for no,
    /// an earlier calculation's value. A question not answered, or not asked, is 0.
    Answer { field: String },
    /// The sum of the terms (an empty sum is 0).
    Sum { terms: Vec<Formula> },
    /// The product of the factors (an empty product is 1).
    Product { factors: Vec<Formula> },
}

/// Most constants and answers one formula may name, and how deep it may nest.
pub const MAX_TERMS: usize = 50;
pub const MAX_DEPTH: usize = 5;

impl Formula {
    /// The value of this formula, with `answer` giving each named field's number.
    /// `None` when a value is missing (a number that is not one) or a result cannot be
    /// held exactly.
    pub fn compute(&self, answer: &dyn Fn(&str) -> Option<Exact>) -> Option<Exact> {
        match self {
            Formula::Number { value } => Exact::parse(value),
            Formula::Answer { field } => answer(field),
            Formula::Sum { terms } => {
                terms.iter().try_fold(Exact::ZERO, |sum, term| sum.checked_add(term.compute(answer)?))
            }
            Formula::Product { factors } => {
                factors.iter().try_fold(Exact::ONE, |product, f| product.checked_mul(f.compute(answer)?))
            }
        }
    }

    /// The field keys this formula reads, in order of appearance.
    pub fn fields(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect(&mut out, &mut Vec::new());
        out
    }

    /// The constants of this formula, in order of appearance.
    pub fn constants(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect(&mut Vec::new(), &mut out);
        out
    }

    fn collect<'a>(&'a self, fields: &mut Vec<&'a str>, constants: &mut Vec<&'a str>) {
        match self {
            Formula::Number { value } => constants.push(value),
            Formula::Answer { field } => fields.push(field),
            Formula::Sum { terms: parts } | Formula::Product { factors: parts } => {
                parts.iter().for_each(|p| p.collect(fields, constants))
            }
        }
    }

    /// How many constants and answers, and how deep sums and products nest.
    pub fn size(&self) -> (usize, usize) {
        match self {
            Formula::Number { .. } | Formula::Answer { .. } => (1, 0),
            Formula::Sum { terms: parts } | Formula::Product { factors: parts } => {
                parts.iter().map(Formula::size).fold((0, 1), |(n, d), (pn, pd)| (n + pn, d.max(pd + 1)))
            }
        }
    }
}

/// An exact decimal: `units / 10^scale`. Written out with [`fmt::Display`] in its
/// one canonical form: no leading zeros, no trailing zeros after the point, no point
/// for a whole number, no sign on zero (`"0.3"`, `"-12"`, `"0"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exact {
    units: i128,
    scale: u32,
}

impl Exact {
    pub const ZERO: Exact = Exact { units: 0, scale: 0 };
    pub const ONE: Exact = Exact { units: 1, scale: 0 };

    /// More decimal places than any answer or constant needs; a product that would
    /// need more has no value.
    pub const MAX_SCALE: u32 = 30;

    /// An exact decimal as answers and constants are written (`-`, digits, optionally
    /// `.` and digits); `None` for anything else or too many digits to hold.
    pub fn parse(text: &str) -> Option<Exact> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits(int) || !digits(frac) || rest.ends_with('.') || rest.len() > 40 {
            return None;
        }
        let scale = u32::try_from(frac.len()).ok().filter(|s| *s <= Self::MAX_SCALE)?;
        let mut units: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            units = units.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        Some(Exact { units: if negative { -units } else { units }, scale }.normalized())
    }

    pub fn from_int(n: i64) -> Exact {
        Exact { units: i128::from(n), scale: 0 }
    }

    pub fn checked_add(self, other: Exact) -> Option<Exact> {
        let scale = self.scale.max(other.scale);
        let units = self.units_at(scale)?.checked_add(other.units_at(scale)?)?;
        Some(Exact { units, scale }.normalized())
    }

    pub fn checked_mul(self, other: Exact) -> Option<Exact> {
        let units = self.units.checked_mul(other.units)?;
        let scale = self.scale + other.scale;
        let product = Exact { units, scale }.normalized();
        (product.scale <= Self::MAX_SCALE).then_some(product)
    }

    /// The units of this value written with `scale` decimal places (not fewer than its own).
    fn units_at(self, scale: u32) -> Option<i128> {
        10i128.checked_pow(scale - self.scale).and_then(|f| self.units.checked_mul(f))
    }

    fn normalized(mut self) -> Exact {
        while self.scale > 0 && self.units % 10 == 0 {
            self.units /= 10;
            self.scale -= 1;
        }
        if self.units == 0 {
            self.scale = 0;
        }
        self
    }
}

impl fmt::Display for Exact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.units.unsigned_abs().to_string();
        let scale = self.scale as usize;
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        let sign = if self.units < 0 { "-" } else { "" };
        if frac.is_empty() { write!(f, "{sign}{int}") } else { write!(f, "{sign}{int}.{frac}") }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn exact(text: &str) -> Exact {
        Exact::parse(text).unwrap_or_else(|| panic!("{text:?} is a decimal"))
    }

    #[test]
    fn sums_and_products_are_exact_and_written_canonically() {
        let sum = |a: &str, b: &str| exact(a).checked_add(exact(b)).map(|e| e.to_string());
        let product = |a: &str, b: &str| exact(a).checked_mul(exact(b)).map(|e| e.to_string());
        assert_eq!(sum("0.1", "0.2").as_deref(), Some("0.3"));
        assert_eq!(sum("1.50", "1.5").as_deref(), Some("3"));
        assert_eq!(sum("-0.5", "0.5").as_deref(), Some("0"));
        assert_eq!(sum("-2", "0.25").as_deref(), Some("-1.75"));
        assert_eq!(sum("007", "0.010").as_deref(), Some("7.01"));
        assert_eq!(product("0.1", "0.1").as_deref(), Some("0.01"));
        assert_eq!(product("-3", "0.5").as_deref(), Some("-1.5"));
        assert_eq!(product("19.99", "3").as_deref(), Some("59.97"));
        assert_eq!(product("0", "-7.5").as_deref(), Some("0"));
        assert_eq!(exact("-0").to_string(), "0");
        assert_eq!(exact("0.000").to_string(), "0");
    }

    #[test]
    fn what_cannot_be_held_exactly_has_no_value() {
        let big = "9".repeat(38);
        assert!(Exact::parse(&big).is_some());
        assert_eq!(exact(&big).checked_mul(exact(&big)), None);
        assert_eq!(exact(&big).checked_add(exact(&big)), None);
        let smaller = "9".repeat(37);
        let doubled = exact(&smaller).checked_add(exact(&smaller)).map(|e| e.to_string());
        assert_eq!(doubled, Some(format!("1{}8", "9".repeat(36))));
        let tiny = format!("0.{}1", "0".repeat(20));
        assert_eq!(exact(&tiny).checked_mul(exact(&tiny)), None, "42 decimal places are more than MAX_SCALE");
        for bad in ["", "-", "1.", ".5", "1e3", "+1", "1,5", " 1", "0x10", &"1".repeat(41)] {
            assert_eq!(Exact::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_formula_sums_and_multiplies_its_parts() {
        let answer = |key: &str| match key {
            "price" => Exact::parse("19.99"),
            "quantity" => Exact::parse("3"),
            "unknown" => None,
            _ => Some(Exact::ZERO),
        };
        let number = |v: &str| Formula::Number { value: v.into() };
        let of = |f: &str| Formula::Answer { field: f.into() };
        let total = Formula::Sum {
            terms: vec![Formula::Product { factors: vec![of("price"), of("quantity")] }, number("4.95")],
        };
        assert_eq!(total.compute(&answer).map(|e| e.to_string()).as_deref(), Some("64.92"));
        assert_eq!(total.fields(), vec!["price", "quantity"]);
        assert_eq!(total.constants(), vec!["4.95"]);
        assert_eq!(total.size(), (3, 2));
        assert_eq!(Formula::Sum { terms: vec![] }.compute(&answer), Some(Exact::ZERO));
        assert_eq!(Formula::Product { factors: vec![] }.compute(&answer), Some(Exact::ONE));
        assert_eq!(Formula::Sum { terms: vec![of("unknown"), number("1")] }.compute(&answer), None);
        assert_eq!(Formula::Sum { terms: vec![number("x")] }.compute(&answer), None);
        let json = serde_json::to_value(&total).unwrap_or_default();
        assert_eq!(json["op"], "sum");
        assert_eq!(json["terms"][0]["factors"][1], serde_json::json!({"op": "answer", "field": "quantity"}));
    }
}
