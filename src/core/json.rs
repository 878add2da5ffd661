//! The little JSON the SDK reads and writes: error bodies, token and presign answers, and the
//! metadata it stores. Hand-written because serde and serde_json cost about 60 KB of wasm (their
//! code, the derived visitors, BTreeMap, float formatting) for a few small documents.
//!
//! Parsing never panics: deep nesting is an error (not a stack overflow), as is anything that is
//! not JSON. Numbers are f64, as in JS. Objects keep their keys in order; a repeated key's last
//! value wins, as with `JSON.parse`.

/// Nesting deeper than this is refused (serde_json's limit too).
const MAX_DEPTH: usize = 128;

/// A JSON value, as `JSON.parse` gives it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// Any number (JS's f64).
    Number(f64),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Map),
}

/// An object: keys in document order, each once. Equal to another with the same keys and
/// values in any order, as JSON objects are.
#[derive(Clone, Debug, Default)]
pub struct Map(pub Vec<(String, Value)>);

impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        self.0.len() == other.0.len() && self.0.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl Map {
    /// An empty object.
    pub fn new() -> Map {
        Map(Vec::new())
    }
    /// Whether it has no keys.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    /// The value of `key`, to change in place.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    /// Takes `key` out, keeping the others' order.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(i).1)
    }
    /// Sets `key`, replacing an earlier value in place.
    pub fn insert(&mut self, key: impl Into<String>, value: Value) {
        let key = key.into();
        match self.get_mut(&key) {
            Some(slot) => *slot = value,
            None => self.0.push((key, value)),
        }
    }
    /// The keys and values, in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}
impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Number(n)
    }
}
impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::Number(n as f64)
    }
}
impl From<u32> for Value {
    fn from(n: u32) -> Value {
        Value::Number(f64::from(n))
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

/// Builds an object from `(key, value)` pairs.
pub fn object<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Object(Map(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

impl Value {
    /// The whole of `text` as one JSON value (surrounding whitespace allowed).
    pub fn parse(text: &str) -> Option<Value> {
        let mut p = Parser { s: text.as_bytes(), i: 0 };
        let v = p.value(0)?;
        p.ws();
        (p.i == p.s.len()).then_some(v)
    }

    /// The first JSON value in `text`; whatever follows it (a proxy's appended junk) is ignored.
    pub fn parse_prefix(text: &str) -> Option<Value> {
        Parser { s: text.as_bytes(), i: 0 }.value(0)
    }

    /// The value of `key` when this is an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => m.get(key),
            _ => None,
        }
    }
    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    /// The value of a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }
    /// The value of a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// The items of an array.
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
    /// Whether this is an object.
    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }
    /// A number that is a `u32` (a fraction is dropped).
    pub fn as_u32(&self) -> Option<u32> {
        self.as_f64().filter(|n| (0.0..=f64::from(u32::MAX)).contains(n)).map(|n| n as u32)
    }
    /// The object, to change in place.
    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// A field that is an object, `None` when missing or anything else.
    pub fn object_field(&self, key: &str) -> Option<&Value> {
        self.get(key).filter(|v| v.is_object())
    }
    /// A string field, `""` when missing, `null` or not a string.
    pub fn str_field(&self, key: &str) -> String {
        self.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
    }
    /// A string field that may be absent: `None` when missing, `null` or not a string.
    pub fn opt_str_field(&self, key: &str) -> Option<String> {
        self.get(key).and_then(Value::as_str).map(str::to_string)
    }
    /// A boolean field, `false` when missing or not a boolean.
    pub fn bool_field(&self, key: &str) -> bool {
        self.get(key).and_then(Value::as_bool).unwrap_or(false)
    }
    /// A number field, 0 when missing or not a number.
    pub fn f64_field(&self, key: &str) -> f64 {
        self.get(key).and_then(Value::as_f64).filter(|n| n.is_finite()).unwrap_or(0.0)
    }
    /// A count of seconds or bytes, which some servers send as `3600.0` or `"3600"`; 0 when
    /// missing, negative or not a number.
    pub fn u64_field(&self, key: &str) -> u64 {
        let n = match self.get(key) {
            Some(Value::Number(n)) => Some(*n),
            Some(Value::String(s)) if s.len() <= 32 => super::text::parse_decimal(s),
            _ => None,
        };
        n.filter(|n| *n >= 0.0 && n.is_finite()).map_or(0, |n| n as u64)
    }

    /// Compact JSON text.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    /// Appends the compact JSON text to `out`.
    pub fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => write_number(*n, out),
            Value::String(s) => write_string(s, out),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Value::Object(map) => {
                out.push('{');
                for (i, (k, v)) in map.0.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(k, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// Integers below 2^53 exactly; other numbers with up to 6 decimals, which round-trip every value
/// the SDK stores (whole milliseconds as seconds, times in ms). Not finite: `null`, as in JS.
/// Integer formatting only: f64's own `Display` would add its 14 KB of float printing to the wasm.
fn write_number(n: f64, out: &mut String) {
    use std::fmt::Write;
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if !n.is_finite() {
        out.push_str("null");
        return;
    }
    if n < 0.0 {
        out.push('-');
    }
    let a = n.abs();
    let micro = (a * 1e6).round();
    if a.fract() == 0.0 || micro >= EXACT {
        // Whole, or too large for millionths to be exact: the integer part.
        let _ = write!(out, "{}", a.min(u64::MAX as f64) as u64);
        return;
    }
    let micro = micro as u64;
    let _ = write!(out, "{}.{:06}", micro / 1_000_000, micro % 1_000_000);
    let kept = out.trim_end_matches('0').trim_end_matches('.').len();
    out.truncate(kept);
}

fn write_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while matches!(self.s.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.ws();
        let hit = self.s.get(self.i) == Some(&b);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn word(&mut self, w: &[u8], v: Value) -> Option<Value> {
        self.s[self.i..].starts_with(w).then(|| {
            self.i += w.len();
            v
        })
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match *self.s.get(self.i)? {
            b'{' => {
                let mut map = Map::new();
                self.items(b'}', |p| {
                    p.ws();
                    if p.s.get(p.i) != Some(&b'"') {
                        return None;
                    }
                    let key = p.string()?;
                    p.eat(b':').then_some(())?;
                    map.insert(key, p.value(depth + 1)?);
                    Some(())
                })?;
                Some(Value::Object(map))
            }
            b'[' => {
                let mut items = Vec::new();
                self.items(b']', |p| {
                    items.push(p.value(depth + 1)?);
                    Some(())
                })?;
                Some(Value::Array(items))
            }
            b'"' => self.string().map(Value::String),
            b't' => self.word(b"true", Value::Bool(true)),
            b'f' => self.word(b"false", Value::Bool(false)),
            b'n' => self.word(b"null", Value::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// At an opening bracket: reads comma-separated items with `item` up to `close`.
    fn items(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.i += 1;
        if self.eat(close) {
            return Some(());
        }
        loop {
            item(self)?;
            if self.eat(close) {
                return Some(());
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.s.get(self.i..self.i + 4)?;
        let mut n = 0;
        for &d in digits {
            n = n * 16 + char::from(d).to_digit(16)?;
        }
        self.i += 4;
        Some(n)
    }

    /// At the opening quote.
    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let b = *self.s.get(self.i)?;
            self.i += 1;
            match b {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = *self.s.get(self.i)?;
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&hi) && self.s[self.i..].starts_with(b"\\u") {
                                let save = self.i;
                                self.i += 2;
                                match self.hex4()? {
                                    lo @ 0xdc00..=0xdfff => 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00),
                                    _ => {
                                        self.i = save;
                                        hi
                                    }
                                }
                            } else {
                                hi
                            };
                            // A lone surrogate becomes U+FFFD, as lenient decoders do.
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        _ => return None,
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1f => return None,
                _ => out.push(b),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Option<Value> {
        let negative = self.s[self.i] == b'-';
        if negative {
            self.i += 1;
        }
        let int_start = self.i;
        let int_len = self.digits();
        if int_len == 0 || (int_len > 1 && self.s[int_start] == b'0') {
            return None;
        }
        let mut frac = &self.s[0..0];
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            let f = self.i;
            if self.digits() == 0 {
                return None;
            }
            frac = &self.s[f..self.i];
        }
        let mut exp: i64 = 0;
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            let exp_negative = match self.s.get(self.i) {
                Some(b'-') => {
                    self.i += 1;
                    true
                }
                Some(b'+') => {
                    self.i += 1;
                    false
                }
                _ => false,
            };
            let e = self.i;
            if self.digits() == 0 {
                return None;
            }
            for &d in &self.s[e..self.i] {
                exp = (exp * 10 + i64::from(d - b'0')).min(100_000);
            }
            if exp_negative {
                exp = -exp;
            }
        }
        let n = decimal(&self.s[int_start..int_start + int_len], frac, exp);
        Some(Value::Number(if negative { -n } else { n }))
    }
}

/// `int.frac × 10^exp`. Exact (correctly rounded) when the significant digits fit in 2^53 and the
/// power of ten in 10^22, which covers every number a server or this SDK writes in practice;
/// otherwise within a few ulps.
fn decimal(int: &[u8], frac: &[u8], exp: i64) -> f64 {
    const POW10: [f64; 23] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
    let mut mantissa: u64 = 0;
    let mut exp10 = exp;
    for &d in int.iter().chain(frac) {
        if mantissa < 100_000_000_000_000_000 {
            mantissa = mantissa * 10 + u64::from(d - b'0');
        } else {
            exp10 += 1;
        }
    }
    // Every fraction digit scales by 1/10 (the dropped ones were counted up by `exp10 += 1`).
    exp10 -= frac.len() as i64;
    if mantissa == 0 {
        return 0.0;
    }
    let m = mantissa as f64;
    if mantissa < (1 << 53) && (-22..=22).contains(&exp10) {
        return if exp10 >= 0 { m * POW10[exp10 as usize] } else { m / POW10[(-exp10) as usize] };
    }
    let mut v = m;
    let mut e = exp10.clamp(-400, 400);
    while e > 0 {
        let step = e.min(22);
        v *= POW10[step as usize];
        e -= step;
    }
    while e < 0 {
        let step = (-e).min(22);
        v /= POW10[step as usize];
        e += step;
    }
    v
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
