//! Formulas as an operator writes them in the designer: field keys, decimals, `+`,
//! `-`, `*` and brackets, e.g. `price * quantity + 4.95`. Subtraction is a sum
//! with the term times -1, so the stored formula needs only sums and products.

use super::{Exact, Formula};

/// Longest formula text the designer takes.
pub const MAX_FORMULA_CHARS: usize = 2_000;
/// Deepest bracket nesting the parser follows (the definition check allows less).
const MAX_NESTING: usize = 20;

impl Formula {
    /// Reads a formula written as `price * quantity + 4.95`. The error says what is
    /// wrong and where, in words an operator understands.
    pub fn parse(text: &str) -> Result<Formula, String> {
        if text.chars().count() > MAX_FORMULA_CHARS {
            return Err(format!("A formula can be at most {MAX_FORMULA_CHARS} characters long."));
        }
        let mut parser = Parser { tokens: tokenize(text)?, at: 0, depth: 0 };
        if parser.tokens.is_empty() {
            return Err("Write a formula, e.g. price * quantity.".into());
        }
        let formula = parser.sum()?;
        match parser.tokens.get(parser.at) {
            None => Ok(formula),
            Some(token) => Err(format!("Unexpected {} after a complete formula.", token.describe())),
        }
    }

    /// The formula written out so that [`Formula::parse`] reads it back.
    pub fn to_text(&self) -> String {
        match self {
            Formula::Number { value } => value.clone(),
            Formula::Answer { field } => field.clone(),
            Formula::Sum { terms } if terms.is_empty() => "0".into(),
            Formula::Sum { terms } => {
                let mut out = String::new();
                for (i, term) in terms.iter().enumerate() {
                    match negated(term) {
                        Some(positive) if i > 0 => out.push_str(&format!(" - {}", factor_text(&positive))),
                        _ if i > 0 => out.push_str(&format!(" + {}", term_text(term))),
                        _ => out.push_str(&term_text(term)),
                    }
                }
                out
            }
            Formula::Product { factors } if factors.is_empty() => "1".into(),
            Formula::Product { factors } => factors.iter().map(factor_text).collect::<Vec<_>>().join(" * "),
        }
    }
}

/// A term of a sum: a nested sum needs brackets to stay one term.
fn term_text(term: &Formula) -> String {
    match term {
        Formula::Sum { terms } if !terms.is_empty() => format!("({})", term.to_text()),
        _ => term.to_text(),
    }
}

/// A factor of a product: sums need brackets, and so does a negative constant
/// (`a * (-1)` reads more plainly than `a * -1`).
fn factor_text(factor: &Formula) -> String {
    match factor {
        Formula::Sum { terms } if !terms.is_empty() => format!("({})", factor.to_text()),
        Formula::Number { value } if value.starts_with('-') => format!("({value})"),
        _ => factor.to_text(),
    }
}

/// `x` when `term` is `-1 * x` (how subtraction is stored), or a negative constant's
/// positive value.
fn negated(term: &Formula) -> Option<Formula> {
    match term {
        Formula::Product { factors } if factors.len() == 2 => match &factors[0] {
            Formula::Number { value } if value == "-1" => Some(factors[1].clone()),
            _ => None,
        },
        Formula::Number { value } => value.strip_prefix('-').map(|v| Formula::Number { value: v.to_owned() }),
        _ => None,
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(String),
    Name(String),
    Plus,
    Minus,
    Times,
    Open,
    Close,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Number(n) => format!("number {n}"),
            Token::Name(n) => format!("name {n}"),
            Token::Plus => "+".into(),
            Token::Minus => "-".into(),
            Token::Times => "*".into(),
            Token::Open => "(".into(),
            Token::Close => ")".into(),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let single = match c {
            ' ' | '\t' | '\n' | '\r' => continue,
            '+' => Some(Token::Plus),
            '-' | '−' => Some(Token::Minus),
            '*' | '×' | '·' => Some(Token::Times),
            '(' => Some(Token::Open),
            ')' => Some(Token::Close),
            _ => None,
        };
        if let Some(token) = single {
            tokens.push(token);
            continue;
        }
        let mut word = c.to_string();
        while let Some((_, next)) =
            chars.peek().copied().filter(|(_, n)| n.is_ascii_alphanumeric() || *n == '_' || *n == '.')
        {
            word.push(next);
            chars.next();
        }
        if c.is_ascii_digit() {
            if Exact::parse(&word).is_none() {
                return Err(format!("{word:?} is not a number (use digits and a dot, e.g. 4.95)."));
            }
            tokens.push(Token::Number(word));
        } else if c.is_ascii_lowercase() && crate::definition::is_field_key(&word) {
            tokens.push(Token::Name(word));
        } else if c == ',' {
            return Err("Use a dot for decimals (4.95), not a comma.".into());
        } else {
            let position = text[..at].chars().count() + 1;
            return Err(format!("{word:?} at character {position} is neither a field key nor a number."));
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn sum(&mut self) -> Result<Formula, String> {
        let mut terms = vec![self.product()?];
        while let Some(op @ (Token::Plus | Token::Minus)) = self.peek().cloned() {
            self.at += 1;
            let term = self.product()?;
            terms.push(if op == Token::Minus { negate(term) } else { term });
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Formula::Sum { terms } })
    }

    fn product(&mut self) -> Result<Formula, String> {
        let mut factors = vec![self.factor()?];
        while self.peek() == Some(&Token::Times) {
            self.at += 1;
            factors.push(self.factor()?);
        }
        Ok(if factors.len() == 1 { factors.remove(0) } else { Formula::Product { factors } })
    }

    fn factor(&mut self) -> Result<Formula, String> {
        let token = self.peek().cloned();
        self.at += 1;
        match token {
            Some(Token::Number(value)) => Ok(Formula::Number { value }),
            Some(Token::Name(field)) => Ok(Formula::Answer { field }),
            Some(Token::Minus) => Ok(negate(self.factor()?)),
            Some(Token::Open) => {
                self.depth += 1;
                if self.depth > MAX_NESTING {
                    return Err("The brackets nest too deep.".into());
                }
                let inner = self.sum()?;
                self.depth -= 1;
                match self.peek() {
                    Some(Token::Close) => {
                        self.at += 1;
                        Ok(inner)
                    }
                    _ => Err("A bracket is opened and never closed.".into()),
                }
            }
            Some(other) => Err(format!("Expected a field key, a number or a bracket, found {}.", other.describe())),
            None => Err("The formula ends where a field key or a number should follow.".into()),
        }
    }
}

/// `-x`: a negative constant for a number, else `-1 * x`.
fn negate(formula: Formula) -> Formula {
    match formula {
        Formula::Number { value } => match value.strip_prefix('-') {
            Some(positive) => Formula::Number { value: positive.to_owned() },
            None => Formula::Number { value: format!("-{value}") },
        },
        other => Formula::Product { factors: vec![Formula::Number { value: "-1".into() }, other] },
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn number(v: &str) -> Formula {
        Formula::Number { value: v.into() }
    }

    fn of(f: &str) -> Formula {
        Formula::Answer { field: f.into() }
    }

    #[test]
    fn formulas_read_as_an_operator_writes_them() {
        let read = |text: &str| Formula::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(
            read("price * quantity + 4.95"),
            Formula::Sum {
                terms: vec![Formula::Product { factors: vec![of("price"), of("quantity")] }, number("4.95")]
            }
        );
        assert_eq!(
            read("a - b"),
            Formula::Sum { terms: vec![of("a"), Formula::Product { factors: vec![number("-1"), of("b")] }] }
        );
        assert_eq!(read("-2.5 * a"), Formula::Product { factors: vec![number("-2.5"), of("a")] });
        assert_eq!(
            read("(a + b) * 0.19"),
            Formula::Product { factors: vec![Formula::Sum { terms: vec![of("a"), of("b")] }, number("0.19")] }
        );
        assert_eq!(read(" total "), of("total"));
        assert_eq!(read("a × 2 − 1"), read("a * 2 - 1"));
    }

    #[test]
    fn written_formulas_read_back_the_same() {
        for text in
            ["price * quantity + 4.95", "a - b", "(a + b) * 0.19", "a - 3 + b * (-1)", "x", "0.5 * (a - (b + c))"]
        {
            let formula = Formula::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(Formula::parse(&formula.to_text()), Ok(formula.clone()), "{text} → {}", formula.to_text());
        }
        assert_eq!(Formula::parse("a-b").map(|f| f.to_text()).as_deref(), Ok("a - b"));
        assert_eq!(Formula::Sum { terms: vec![] }.to_text(), "0");
    }

    #[test]
    fn mistakes_are_named() {
        let error = |text: &str| Formula::parse(text).err().unwrap_or_default();
        assert!(error("").contains("Write a formula"));
        assert!(error("a +").contains("ends where"));
        assert!(error("(a + b").contains("never closed"));
        assert!(error("a b").contains("Unexpected name b"));
        assert!(error("4,95").contains("Use a dot"), "{}", error("4,95"));
        assert!(error("Price").contains("neither a field key nor a number"));
        assert!(error("a / b").contains("character 3"));
        assert!(error("1.2.3").contains("not a number"));
        assert!(error(&"(".repeat(30)).contains("too deep"));
        assert!(error(&"a+".repeat(1_100)).contains("at most 2000"));
    }
}
