//! Safe arithmetic expressions in case files, such as a temperature field
//! `sqrt(x^2 + y^2) + z`: numbers, named variables, + − × ÷ ^, parentheses and a fixed
//! set of functions. Parsed once into a tree and evaluated per point; nothing else can
//! run.

use anyhow::{anyhow, bail, Result};

#[derive(Clone, Debug)]
pub enum Expr {
    Number(f64),
    Variable(usize),
    Neg(Box<Expr>),
    Binary(char, Box<Expr>, Box<Expr>),
    Call(fn(&[f64]) -> f64, Vec<Expr>),
}

/// A built-in function: name, number of arguments, implementation.
type Function = (&'static str, usize, fn(&[f64]) -> f64);

const FUNCTIONS: &[Function] = &[
    ("sqrt", 1, |a| a[0].sqrt()),
    ("abs", 1, |a| a[0].abs()),
    ("exp", 1, |a| a[0].exp()),
    ("ln", 1, |a| a[0].ln()),
    ("log10", 1, |a| a[0].log10()),
    ("sin", 1, |a| a[0].sin()),
    ("cos", 1, |a| a[0].cos()),
    ("tan", 1, |a| a[0].tan()),
    ("atan2", 2, |a| a[0].atan2(a[1])),
    ("min", 2, |a| a[0].min(a[1])),
    ("max", 2, |a| a[0].max(a[1])),
    ("pow", 2, |a| a[0].powf(a[1])),
];

impl Expr {
    /// Parses `text` with the given variable names (evaluated by position).
    pub fn parse(text: &str, variables: &[&str]) -> Result<Self> {
        let mut p = Parser {
            s: text.as_bytes(),
            pos: 0,
            variables,
        };
        let e = p.expr(0)?;
        p.skip_space();
        if p.pos < p.s.len() {
            bail!(
                "unexpected '{}' at column {} of '{text}'",
                p.s[p.pos] as char,
                p.pos + 1
            );
        }
        Ok(e)
    }

    pub fn eval(&self, vars: &[f64]) -> f64 {
        match self {
            Self::Number(v) => *v,
            Self::Variable(i) => vars[*i],
            Self::Neg(e) => -e.eval(vars),
            Self::Binary(op, a, b) => {
                let (a, b) = (a.eval(vars), b.eval(vars));
                match op {
                    '+' => a + b,
                    '-' => a - b,
                    '*' => a * b,
                    '/' => a / b,
                    _ => a.powf(b),
                }
            }
            Self::Call(f, args) => f(&args.iter().map(|a| a.eval(vars)).collect::<Vec<_>>()),
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    variables: &'a [&'a str],
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.s.get(self.pos).copied()
    }

    /// Precedence climbing: + − (1), × ÷ (2), ^ (3, right-associative).
    fn expr(&mut self, min: u8) -> Result<Expr> {
        let mut lhs = self.unary()?;
        while let Some(op) = self.peek() {
            let (prec, right) = match op {
                b'+' | b'-' => (1, false),
                b'*' | b'/' => (2, false),
                b'^' => (3, true),
                _ => break,
            };
            if prec < min {
                break;
            }
            self.pos += 1;
            let rhs = self.expr(if right { prec } else { prec + 1 })?;
            lhs = Expr::Binary(op as char, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr> {
        match self.peek() {
            Some(b'-') => {
                self.pos += 1;
                Ok(Expr::Neg(Box::new(self.expr(3)?)))
            }
            Some(b'+') => {
                self.pos += 1;
                self.unary()
            }
            _ => self.atom(),
        }
    }

    fn atom(&mut self) -> Result<Expr> {
        let start = self.pos;
        match self.peek() {
            Some(b'(') => {
                self.pos += 1;
                let e = self.expr(0)?;
                self.expect(b')')?;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() || c == b'.' => {
                let start = self.pos;
                while self.pos < self.s.len()
                    && (self.s[self.pos].is_ascii_digit()
                        || b".eE".contains(&self.s[self.pos])
                        || (b"+-".contains(&self.s[self.pos])
                            && b"eE".contains(&self.s[self.pos - 1])))
                {
                    self.pos += 1;
                }
                let t = std::str::from_utf8(&self.s[start..self.pos]).expect("ASCII");
                t.parse()
                    .map(Expr::Number)
                    .map_err(|_| anyhow!("bad number '{t}' at column {}", start + 1))
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let start = self.pos;
                while self.pos < self.s.len()
                    && (self.s[self.pos].is_ascii_alphanumeric() || self.s[self.pos] == b'_')
                {
                    self.pos += 1;
                }
                let name = std::str::from_utf8(&self.s[start..self.pos]).expect("ASCII");
                if self.peek() == Some(b'(') {
                    self.pos += 1;
                    let &(_, arity, f) =
                        FUNCTIONS.iter().find(|(n, ..)| *n == name).ok_or_else(|| {
                            anyhow!(
                                "unknown function '{name}'; known: {}",
                                FUNCTIONS.iter().map(|f| f.0).collect::<Vec<_>>().join(", ")
                            )
                        })?;
                    let mut args = vec![self.expr(0)?];
                    while self.peek() == Some(b',') {
                        self.pos += 1;
                        args.push(self.expr(0)?);
                    }
                    self.expect(b')')?;
                    if args.len() != arity {
                        bail!("{name} takes {arity} argument(s), got {}", args.len());
                    }
                    return Ok(Expr::Call(f, args));
                }
                match name {
                    "pi" => Ok(Expr::Number(std::f64::consts::PI)),
                    _ => self
                        .variables
                        .iter()
                        .position(|v| *v == name)
                        .map(Expr::Variable)
                        .ok_or_else(|| {
                            anyhow!(
                                "unknown name '{name}'; variables here: {}",
                                self.variables.join(", ")
                            )
                        }),
                }
            }
            Some(c) => bail!("unexpected '{}' at column {}", c as char, start + 1),
            None => bail!("the expression ends too early"),
        }
    }

    fn expect(&mut self, c: u8) -> Result<()> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            bail!("expected '{}' at column {}", c as char, self.pos + 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(s: &str, x: f64, y: f64, z: f64) -> f64 {
        Expr::parse(s, &["x", "y", "z"]).unwrap().eval(&[x, y, z])
    }

    #[test]
    fn evaluates_with_precedence_and_functions() {
        assert_eq!(eval("sqrt(x^2 + y^2) + z", 3.0, 4.0, 1.0), 6.0);
        assert_eq!(eval("2 * 3 ^ 2", 0.0, 0.0, 0.0), 18.0);
        assert_eq!(eval("2 ^ 3 ^ 2", 0.0, 0.0, 0.0), 512.0);
        assert_eq!(eval("-x^2", 3.0, 0.0, 0.0), -9.0);
        assert_eq!(eval("1.5e3 / (x - 1)", 4.0, 0.0, 0.0), 500.0);
        assert_eq!(eval("max(x, min(y, z))", 1.0, 5.0, 2.0), 2.0);
        assert!((eval("cos(pi)", 0.0, 0.0, 0.0) + 1.0).abs() < 1e-15);
    }

    #[test]
    fn rejects_anything_else_with_its_position() {
        for (bad, msg) in [
            ("x +", "ends too early"),
            ("system(1)", "unknown function"),
            ("w * 2", "unknown name 'w'"),
            ("x $ 2", "column 3"),
            ("sqrt(1, 2)", "takes 1"),
        ] {
            let e = Expr::parse(bad, &["x", "y", "z"]).unwrap_err().to_string();
            assert!(e.contains(msg), "{bad}: {e}");
        }
    }
}
