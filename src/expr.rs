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
    Call(&'static Function, Vec<Expr>),
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
            depth: 0,
            operations: 0,
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
            Self::Call(f, args) => (f.2)(&args.iter().map(|a| a.eval(vars)).collect::<Vec<_>>()),
        }
    }
}

/// A value with its first and second derivative along one variable.
pub type Jet = [f64; 3];

fn mul(a: Jet, b: Jet) -> Jet {
    [
        a[0] * b[0],
        a[1] * b[0] + a[0] * b[1],
        a[2] * b[0] + 2.0 * a[1] * b[1] + a[0] * b[2],
    ]
}

fn div(a: Jet, b: Jet) -> Jet {
    let q0 = a[0] / b[0];
    let q1 = (a[1] - q0 * b[1]) / b[0];
    [q0, q1, (a[2] - 2.0 * q1 * b[1] - q0 * b[2]) / b[0]]
}

/// g(u) for a scalar function with derivatives g', g'' at u₀ (chain rule to 2nd order).
fn chain(u: Jet, g: f64, dg: f64, ddg: f64) -> Jet {
    [g, dg * u[1], ddg * u[1] * u[1] + dg * u[2]]
}

fn pow(a: Jet, b: Jet) -> Jet {
    if b[1] == 0.0 && b[2] == 0.0 {
        let (x, p) = (a[0], b[0]);
        chain(
            a,
            x.powf(p),
            p * x.powf(p - 1.0),
            p * (p - 1.0) * x.powf(p - 2.0),
        )
    } else {
        let ln = chain(a, a[0].ln(), 1.0 / a[0], -1.0 / (a[0] * a[0]));
        let e = mul(b, ln);
        let v = e[0].exp();
        chain(e, v, v, v)
    }
}

impl Expr {
    /// Value and first two derivatives with respect to variable `wrt` — exact, by
    /// propagating derivatives through the tree (used for prescribed motions of time).
    pub fn jet(&self, vars: &[f64], wrt: usize) -> Jet {
        match self {
            Self::Number(v) => [*v, 0.0, 0.0],
            Self::Variable(i) => [vars[*i], if *i == wrt { 1.0 } else { 0.0 }, 0.0],
            Self::Neg(e) => e.jet(vars, wrt).map(|x| -x),
            Self::Binary(op, a, b) => {
                let (a, b) = (a.jet(vars, wrt), b.jet(vars, wrt));
                match op {
                    '+' => [a[0] + b[0], a[1] + b[1], a[2] + b[2]],
                    '-' => [a[0] - b[0], a[1] - b[1], a[2] - b[2]],
                    '*' => mul(a, b),
                    '/' => div(a, b),
                    _ => pow(a, b),
                }
            }
            Self::Call(f, args) => {
                let a: Vec<Jet> = args.iter().map(|x| x.jet(vars, wrt)).collect();
                let u = a[0];
                let x = u[0];
                match f.0 {
                    "sqrt" => chain(u, x.sqrt(), 0.5 / x.sqrt(), -0.25 / (x * x.sqrt())),
                    "abs" => u.map(|v| v * x.signum()),
                    "exp" => chain(u, x.exp(), x.exp(), x.exp()),
                    "ln" => chain(u, x.ln(), 1.0 / x, -1.0 / (x * x)),
                    "log10" => chain(
                        u,
                        x.log10(),
                        1.0 / (x * std::f64::consts::LN_10),
                        -1.0 / (x * x * std::f64::consts::LN_10),
                    ),
                    "sin" => chain(u, x.sin(), x.cos(), -x.sin()),
                    "cos" => chain(u, x.cos(), -x.sin(), -x.cos()),
                    "tan" => {
                        let (t, s2) = (x.tan(), 1.0 / (x.cos() * x.cos()));
                        chain(u, t, s2, 2.0 * t * s2)
                    }
                    "atan2" => {
                        let (y, x) = (a[0], a[1]);
                        let r2 = x[0] * x[0] + y[0] * y[0];
                        let n = x[0] * y[1] - y[0] * x[1];
                        let dn = x[0] * y[2] - y[0] * x[2];
                        let dr2 = 2.0 * (x[0] * x[1] + y[0] * y[1]);
                        [y[0].atan2(x[0]), n / r2, (dn * r2 - n * dr2) / (r2 * r2)]
                    }
                    "min" => {
                        if a[0][0] <= a[1][0] {
                            a[0]
                        } else {
                            a[1]
                        }
                    }
                    "max" => {
                        if a[0][0] >= a[1][0] {
                            a[0]
                        } else {
                            a[1]
                        }
                    }
                    _ => pow(a[0], a[1]),
                }
            }
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    variables: &'a [&'a str],
    /// Nesting of the expression being read (parentheses, signs, calls).
    depth: usize,
    /// Operations read so far: evaluation recurses once per operation.
    operations: usize,
}

/// Deepest nesting an expression may have: deeper is no formula a person writes, and
/// would exhaust the stack.
const MAX_DEPTH: usize = 64;
/// Most operations an expression may hold.
const MAX_OPERATIONS: usize = 1000;

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

    /// Counts one more level of nesting and one more operation, within the limits.
    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        self.operations += 1;
        if self.depth > MAX_DEPTH {
            bail!("the expression nests deeper than {MAX_DEPTH} levels");
        }
        if self.operations > MAX_OPERATIONS {
            bail!("the expression has more than {MAX_OPERATIONS} operations");
        }
        Ok(())
    }

    /// Precedence climbing: + − (1), × ÷ (2), ^ (3, right-associative).
    fn expr(&mut self, min: u8) -> Result<Expr> {
        self.enter()?;
        let e = self.climb(min);
        self.depth -= 1;
        e
    }

    fn climb(&mut self, min: u8) -> Result<Expr> {
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
            self.operations += 1;
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
                self.enter()?;
                let e = self.unary();
                self.depth -= 1;
                e
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
                    let f = FUNCTIONS.iter().find(|(n, ..)| *n == name).ok_or_else(|| {
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
                    if args.len() != f.1 {
                        bail!("{name} takes {} argument(s), got {}", f.1, args.len());
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

    /// Jets agree with central differences for every function.
    #[test]
    fn jets_match_finite_differences() {
        for text in [
            "3*t^2 - 2*t + 1",
            "sin(2*pi*t) * exp(-t)",
            "sqrt(1 + t^2) / (2 + cos(t))",
            "ln(2 + t) + log10(3 + t) + tan(t / 3) + abs(t - 5)",
            "atan2(sin(t), 2 + cos(t))",
            "pow(1.5 + t, 2.5) + (2 + t)^(t / 4)",
            "max(t, 1) + min(t^2, 0.5)",
        ] {
            let e = Expr::parse(text, &["t"]).unwrap();
            let (t, h) = (0.37, 1e-4);
            let f = |t: f64| e.eval(&[t]);
            let [v, d, dd] = e.jet(&[t], 0);
            assert!((v - f(t)).abs() < 1e-14, "{text}");
            assert!(
                (d - (f(t + h) - f(t - h)) / (2.0 * h)).abs() < 1e-6,
                "{text}: {d}"
            );
            assert!(
                (dd - (f(t + h) - 2.0 * f(t) + f(t - h)) / (h * h)).abs() < 1e-4,
                "{text}: {dd}"
            );
        }
    }

    #[test]
    fn deep_or_huge_expressions_are_errors_not_stack_overflows() {
        let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(Expr::parse(&deep, &[])
            .unwrap_err()
            .to_string()
            .contains("nests deeper"));
        let signs = format!("{}1", "+".repeat(100_000));
        assert!(Expr::parse(&signs, &[]).is_err());
        let long = vec!["1"; 100_000].join("+");
        assert!(Expr::parse(&long, &[])
            .unwrap_err()
            .to_string()
            .contains("operations"));
        assert_eq!(
            Expr::parse(&vec!["1"; 100].join("+"), &[])
                .unwrap()
                .eval(&[]),
            100.0
        );
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
