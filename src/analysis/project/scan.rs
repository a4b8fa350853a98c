//! What a module binds at its top level, read from its text in one pass of a light tokenizer,
//! without parsing it: its undecorated `async def`s, the names it imports (`from m import f`,
//! `import a.b as m`), its `from m import *`, and every other name its module-level statements may
//! bind (which makes the name unknown).
//!
//! The tokenizer knows what it must to find statements and their indentation: strings (prefixes,
//! triple quotes, escapes), comments, brackets and line continuations. A statement of the module's
//! own block (indentation 0) is read for what it binds; a statement nested in a module-level
//! `if`, `try`, `for`, `while`, `with` or `match` still binds module names, but conditionally, so
//! what it binds is unknown; the bodies of `def` and `class` bind nothing of the module's. An
//! `async def` whose body holds a `yield` (anywhere, nested functions included) is an asynchronous
//! generator function, not a coroutine function. A name bound twice is unknown. Every doubt makes
//! a name unknown, never a coroutine function.

use rustc_hash::FxHashMap;

/// A module named by an import: as many leading dots as `level`, then `module` (empty in
/// `from . import x`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relative {
    pub level: u32,
    pub module: String,
}

/// What a module's top level binds a name to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    /// An `async def` of the module's own block with no decorator, and nothing else.
    Coroutine,
    /// `from module import name` (or `… as` the bound name), at the module's own block.
    From(Relative, String),
    /// `import a.b as name` (`a.b`), or `import a.b` (`a`), at the module's own block.
    Module(String),
    /// Anything else, or more than one binding.
    Other,
}

/// What one module binds at its top level.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleFacts {
    pub names: FxHashMap<String, Bound>,
    /// The modules of its `from m import *` statements at its own block, in order.
    pub stars: Vec<Relative>,
    /// What `from this import *` takes from it.
    pub exports: Exports,
}

/// The names a `from m import *` takes from a module.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Exports {
    /// It binds no `__all__`: its public names.
    #[default]
    Public,
    /// Its `__all__`, a list or tuple of strings assigned once.
    All(Vec<String>),
    /// It binds `__all__` some other way.
    Unknown,
}

impl Exports {
    /// Whether `from m import *` may take `name` (a name `m` binds) from the module.
    pub fn may_export(&self, name: &str) -> bool {
        match self {
            Exports::Public => !name.starts_with('_'),
            Exports::All(names) => names.iter().any(|n| n == name),
            Exports::Unknown => false,
        }
    }
}

impl ModuleFacts {
    /// Read the top-level bindings of the module whose text is `text`.
    pub fn scan(text: &str) -> ModuleFacts {
        let mut facts = ModuleFacts::default();
        let mut lines = Lines {
            text: text.as_bytes(),
            at: 0,
        };
        let mut tokens = Vec::new();
        // The indentation of the `def` or `class` whose body is being passed by, and the name of
        // the coroutine function it defines, if it does: a `yield` in its body makes it an
        // asynchronous generator function instead.
        let mut body_of: Option<(usize, Option<&str>)> = None;
        let mut decorated = false;
        while let Some(indent) = lines.next_line(&mut tokens) {
            if let Some((outer, coroutine)) = body_of {
                if indent > outer {
                    if let Some(name) = coroutine
                        && tokens.contains(&Token::Name("yield"))
                    {
                        facts.bind(name, Bound::Other);
                        body_of = Some((outer, None));
                    }
                    continue;
                }
                body_of = None;
            }
            let own_block = indent == 0;
            let after_decorator = std::mem::take(&mut decorated);
            match tokens.as_slice() {
                [Token::Op("@"), ..] => decorated = true,
                [
                    Token::Name("async"),
                    Token::Name("def"),
                    Token::Name(name),
                    rest @ ..,
                ] => {
                    let coroutine =
                        own_block && !after_decorator && !rest.contains(&Token::Name("yield"));
                    let bound = match coroutine {
                        true => Bound::Coroutine,
                        false => Bound::Other,
                    };
                    facts.bind(name, bound);
                    body_of = Some((indent, coroutine.then_some(*name)));
                }
                [Token::Name("def" | "class"), Token::Name(name), ..] => {
                    facts.bind(name, Bound::Other);
                    body_of = Some((indent, None));
                }
                [Token::Name("__all__"), Token::Op("="), rest @ ..] if own_block => {
                    facts.exports = match (&facts.exports, listed_strings(rest)) {
                        (Exports::Public, Some(names)) => Exports::All(names),
                        _ => Exports::Unknown,
                    };
                }
                [Token::Name("import"), rest @ ..] if own_block => facts.modules_imported(rest),
                [Token::Name("from"), rest @ ..] if own_block => facts.names_imported_from(rest),
                _ => facts.targets(&tokens),
            }
        }
        facts
    }

    fn bind(&mut self, name: &str, bound: Bound) {
        if name == "__all__" {
            self.exports = Exports::Unknown;
        }
        match self.names.get_mut(name) {
            Some(known) if *known != bound => *known = Bound::Other,
            Some(_) => {}
            None => {
                self.names.insert(name.to_owned(), bound);
            }
        }
    }

    /// `import a.b.c as x, d.e`: what follows `import`.
    fn modules_imported(&mut self, tokens: &[Token<'_>]) {
        for item in tokens.split(|t| *t == Token::Op(",")) {
            let (dotted, rest) = dotted_name(item);
            match rest {
                [Token::Name("as"), Token::Name(name)] => {
                    self.bind(name, Bound::Module(dotted));
                }
                [] if !dotted.is_empty() => {
                    let root = dotted.split('.').next().unwrap_or_default();
                    self.bind(root, Bound::Module(root.to_owned()));
                }
                _ => self.targets(item),
            }
        }
    }

    /// `from ..m import (a, b as c)`: what follows `from`.
    fn names_imported_from(&mut self, tokens: &[Token<'_>]) {
        let level = tokens.iter().take_while(|t| **t == Token::Op(".")).count();
        let (module, rest) = dotted_name(&tokens[level..]);
        let Some((Token::Name("import"), names)) = rest.split_first() else {
            return self.targets(tokens);
        };
        let from = Relative {
            level: level as u32,
            module,
        };
        let names = match names {
            [Token::Op("("), inner @ .., Token::Op(")")] => inner,
            names => names,
        };
        if names == [Token::Op("*")] {
            self.stars.push(from);
            return;
        }
        for item in names.split(|t| *t == Token::Op(",")) {
            match item {
                [Token::Name(name)] => {
                    self.bind(name, Bound::From(from.clone(), (*name).to_owned()))
                }
                [Token::Name(name), Token::Name("as"), Token::Name(alias)] => {
                    self.bind(alias, Bound::From(from.clone(), (*name).to_owned()));
                }
                [] => {}
                _ => self.targets(item),
            }
        }
    }

    /// Any other statement: every name it may bind becomes unknown. Over-counting only loses
    /// knowledge: the names before an assignment's last `=` (or an augmented assignment's
    /// operator), before `:=`, after `as`, between `for` and `in`, after `import` or `del`, an
    /// annotated name, and every name of a `case`.
    fn targets(&mut self, tokens: &[Token<'_>]) {
        let mut depth = 0usize;
        let mut assigned = 0;
        let mut binds_all = false;
        for (index, token) in tokens.iter().enumerate() {
            match token {
                Token::Op("(" | "[" | "{") => depth += 1,
                Token::Op(")" | "]" | "}") => depth = depth.saturating_sub(1),
                Token::Op(op) if depth == 0 && is_assignment(op) => assigned = index,
                Token::Name("import" | "del" | "case") => binds_all = true,
                _ => {}
            }
        }
        let mut in_for = false;
        for (index, token) in tokens.iter().enumerate() {
            let Token::Name(name) = token else {
                continue;
            };
            match *name {
                "for" => in_for = true,
                "in" => in_for = false,
                _ => {}
            }
            let next = tokens.get(index + 1);
            let binds = binds_all
                || in_for
                || index < assigned
                || next == Some(&Token::Op(":="))
                || (index == 0 && next == Some(&Token::Op(":")))
                || (index > 0 && tokens[index - 1] == Token::Name("as"));
            if binds {
                self.bind(name, Bound::Other);
            }
        }
    }
}

/// The strings of `[\"a\", \"b\"]` or `(\"a\", \"b\")`, when `tokens` are that and nothing else.
fn listed_strings(tokens: &[Token<'_>]) -> Option<Vec<String>> {
    let inner = match tokens {
        [Token::Op("["), inner @ .., Token::Op("]")]
        | [Token::Op("("), inner @ .., Token::Op(")")] => inner,
        _ => return None,
    };
    inner
        .split(|t| *t == Token::Op(","))
        .filter(|item| !item.is_empty())
        .map(|item| match item {
            [Token::Str(name)] => Some((*name).to_owned()),
            _ => None,
        })
        .collect()
}

/// Whether `op` assigns: `=` or an augmented assignment (`+=`, `//=`, …), not a comparison.
fn is_assignment(op: &str) -> bool {
    op == "=" || (op.len() > 1 && op.ends_with('=') && !matches!(op, "==" | "!=" | "<=" | ">="))
}

/// The dotted name `tokens` start with, and the rest.
fn dotted_name<'a, 's>(tokens: &'a [Token<'s>]) -> (String, &'a [Token<'s>]) {
    let mut dotted = String::new();
    let mut at = 0;
    while let Some(Token::Name(part)) = tokens.get(at) {
        if matches!(*part, "import" | "as") {
            break;
        }
        dotted.push_str(part);
        at += 1;
        if tokens.get(at) != Some(&Token::Op(".")) {
            break;
        }
        dotted.push('.');
        at += 1;
    }
    (dotted, &tokens[at..])
}

/// What the tokenizer tells apart: names (keywords among them), operators and brackets, plain
/// one-line strings (their text between the quotes), and anything else (other strings, numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'s> {
    Name(&'s str),
    Op(&'s str),
    Str(&'s str),
    Other,
}

/// The logical lines of a text: each one's tokens and indentation.
struct Lines<'s> {
    text: &'s [u8],
    at: usize,
}

impl<'s> Lines<'s> {
    fn str(&self, start: usize, end: usize) -> &'s str {
        // Only ever cut at ASCII bytes, which are character boundaries.
        std::str::from_utf8(&self.text[start..end]).unwrap_or("")
    }

    /// The next logical line holding a token: its tokens into `tokens`, and its indentation.
    fn next_line(&mut self, tokens: &mut Vec<Token<'s>>) -> Option<usize> {
        tokens.clear();
        let text = self.text;
        let mut indent = 0;
        let mut depth = 0usize;
        while self.at < text.len() {
            let byte = text[self.at];
            match byte {
                b' ' | b'\t' | b'\x0c' => {
                    if tokens.is_empty() && depth == 0 {
                        indent = match byte {
                            b'\t' => (indent / 8 + 1) * 8,
                            b'\x0c' => 0,
                            _ => indent + 1,
                        };
                    }
                    self.at += 1;
                }
                b'#' => {
                    while self.at < text.len() && !matches!(text[self.at], b'\n' | b'\r') {
                        self.at += 1;
                    }
                }
                b'\\' if matches!(text.get(self.at + 1), Some(b'\n' | b'\r')) => {
                    self.at += 1;
                    self.skip_line_break();
                }
                b'\n' | b'\r' => {
                    self.skip_line_break();
                    if depth == 0 {
                        if !tokens.is_empty() {
                            return Some(indent);
                        }
                        indent = 0;
                    }
                }
                b'"' | b'\'' => {
                    let start = self.at;
                    self.skip_string();
                    tokens.push(self.string(start));
                }
                b'0'..=b'9' => {
                    self.skip_number();
                    tokens.push(Token::Other);
                }
                b'.' if text.get(self.at + 1).is_some_and(u8::is_ascii_digit) => {
                    self.skip_number();
                    tokens.push(Token::Other);
                }
                _ if byte == b'_' || byte.is_ascii_alphabetic() || byte >= 0x80 => {
                    let start = self.at;
                    while self.at < text.len()
                        && (text[self.at] == b'_'
                            || text[self.at].is_ascii_alphanumeric()
                            || text[self.at] >= 0x80)
                    {
                        self.at += 1;
                    }
                    let word = self.str(start, self.at);
                    let quoted = matches!(text.get(self.at), Some(b'"' | b'\''));
                    if quoted && is_string_prefix(word) {
                        self.skip_string();
                        tokens.push(Token::Other);
                    } else {
                        tokens.push(Token::Name(word));
                    }
                }
                _ => {
                    let start = self.at;
                    self.at += operator_length(&text[self.at..]);
                    match byte {
                        b'(' | b'[' | b'{' => depth += 1,
                        b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    tokens.push(Token::Op(self.str(start, self.at)));
                }
            }
        }
        (!tokens.is_empty()).then_some(indent)
    }

    /// The token of the string without a prefix that started at `start`, now passed: its text
    /// when it is one line between two quotes with no backslash, else any other token.
    fn string(&self, start: usize) -> Token<'s> {
        let inner = self.text.get(start + 1..self.at.saturating_sub(1));
        match inner {
            Some(inner)
                if self.at >= start + 2
                    && self.text[self.at - 1] == self.text[start]
                    && !inner
                        .iter()
                        .any(|&b| matches!(b, b'\\' | b'\n' | b'\r' | b'"' | b'\'')) =>
            {
                Token::Str(self.str(start + 1, self.at - 1))
            }
            _ => Token::Other,
        }
    }

    /// Pass `\n`, `\r\n` or `\r`.
    fn skip_line_break(&mut self) {
        if self.text.get(self.at) == Some(&b'\r') {
            self.at += 1;
        }
        if self.text.get(self.at) == Some(&b'\n') {
            self.at += 1;
        }
    }

    /// Pass the line break, or the one byte, an escaping backslash is followed by.
    fn skip_line_break_or_byte(&mut self) {
        match self.text.get(self.at) {
            Some(b'\n' | b'\r') => self.skip_line_break(),
            Some(_) => self.at += 1,
            None => {}
        }
    }

    fn skip_number(&mut self) {
        while self
            .text
            .get(self.at)
            .is_some_and(|&b| b == b'_' || b == b'.' || b.is_ascii_alphanumeric())
        {
            self.at += 1;
        }
    }

    /// Pass a string starting at its quote: a triple-quoted one up to its closing quotes, another
    /// up to its quote or the end of its line (where an unterminated one ends). A backslash
    /// escapes the next byte, in raw strings too (`r"\""` is one string).
    fn skip_string(&mut self) {
        let text = self.text;
        let quote = text[self.at];
        let triple = text.get(self.at..self.at + 3) == Some(&[quote; 3][..]);
        self.at += if triple { 3 } else { 1 };
        while self.at < text.len() {
            match text[self.at] {
                b'\\' => {
                    self.at += 1;
                    self.skip_line_break_or_byte();
                }
                b'\n' | b'\r' if !triple => return,
                byte if byte == quote => {
                    if !triple {
                        self.at += 1;
                        return;
                    }
                    if text.get(self.at..self.at + 3) == Some(&[quote; 3][..]) {
                        self.at += 3;
                        return;
                    }
                    self.at += 1;
                }
                _ => self.at += 1,
            }
        }
        self.at = self.at.min(text.len());
    }
}

/// Whether `word` is a string prefix (`r`, `b`, `f`, `rb`, `t`, …).
fn is_string_prefix(word: &str) -> bool {
    word.len() <= 2
        && word
            .bytes()
            .all(|b| matches!(b.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f' | b't'))
}

/// The length of the operator or delimiter `rest` starts with (an ASCII byte): `**=`, `//=`,
/// `>>=`, `<<=`, the two-byte operators (`==`, `+=`, `->`, `**`, …), else one byte (each dot of
/// `...` too, as relative imports count them).
fn operator_length(rest: &[u8]) -> usize {
    let first = rest[0];
    let second = rest.get(1).copied();
    let third = rest.get(2).copied();
    match (first, second, third) {
        (b'*', Some(b'*'), Some(b'=')) | (b'/', Some(b'/'), Some(b'=')) => 3,
        (b'>', Some(b'>'), Some(b'=')) | (b'<', Some(b'<'), Some(b'=')) => 3,
        (b'.', Some(b'.'), Some(b'.')) => 1,
        (b'-', Some(b'>'), _) => 2,
        (b'=' | b'!' | b'<' | b'>' | b':' | b'+' | b'-' | b'*' | b'/', Some(b'='), _) => 2,
        (b'%' | b'&' | b'|' | b'^' | b'@', Some(b'='), _) => 2,
        (b'*', Some(b'*'), _) | (b'/', Some(b'/'), _) => 2,
        (b'<', Some(b'<'), _) | (b'>', Some(b'>'), _) => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relative(level: u32, module: &str) -> Relative {
        Relative {
            level,
            module: module.to_owned(),
        }
    }

    fn bound(text: &str, name: &str) -> Option<Bound> {
        ModuleFacts::scan(text).names.get(name).cloned()
    }

    #[test]
    fn undecorated_top_level_async_defs_are_coroutine_functions() {
        let text = "import x\n\nasync def fetch(url):\n    async def inner():\n        pass\n    return 1\n\n@decorate\nasync def wrapped():\n    pass\n\nclass C:\n    async def method(self):\n        pass\n\ndef sync():\n    pass\n\nasync def stream():\n    if x:\n        yield 1\n\nasync def short(): yield 2\n";
        assert_eq!(bound(text, "fetch"), Some(Bound::Coroutine));
        assert_eq!(bound(text, "wrapped"), Some(Bound::Other));
        assert_eq!(bound(text, "sync"), Some(Bound::Other));
        assert_eq!(bound(text, "stream"), Some(Bound::Other));
        assert_eq!(bound(text, "short"), Some(Bound::Other));
        assert_eq!(bound(text, "inner"), None);
        assert_eq!(bound(text, "method"), None);
        assert_eq!(bound(text, "x"), Some(Bound::Module("x".to_owned())));
    }

    #[test]
    fn a_name_bound_again_or_conditionally_is_unknown() {
        let text = "async def a():\n    pass\na = wrap(a)\n\nasync def b(): pass\nif PY38:\n    def b(): pass\n\nasync def c(): pass\nfor c in []: pass\n\nasync def d(): pass\nwith x as d: pass\n\nasync def e(): pass\nif (e := 1): pass\n\nasync def f(): pass\nx, f = 1, 2\n\nasync def g(): pass\ng += 1\n\nasync def h(): pass\n";
        for name in ["a", "b", "c", "d", "e", "f", "g"] {
            assert_eq!(bound(text, name), Some(Bound::Other), "{name}");
        }
        assert_eq!(bound(text, "h"), Some(Bound::Coroutine));
    }

    #[test]
    fn strings_comments_and_brackets_hide_no_statement() {
        let text = "doc = \"\"\"\nasync def fake():\n    pass\n\"\"\"\n# async def comment(): pass\nvalue = f(\n    1,\n)\nasync def real(): pass\nescaped = 'it\\'s'\nraw = r'\\'\nasync def after(): pass\n";
        assert_eq!(bound(text, "fake"), None);
        assert_eq!(bound(text, "comment"), None);
        assert_eq!(bound(text, "real"), Some(Bound::Coroutine));
        assert_eq!(bound(text, "after"), Some(Bound::Coroutine));
    }

    #[test]
    fn imports_are_recorded_with_their_modules() {
        let text = "from .impl import fetch, main as entry\nfrom .. import sibling\nfrom pkg.sub import (\n    one,\n    two as three,\n)\nfrom .all import *\nimport a.b.c\nimport d.e as f\ntry:\n    from .fast import g\nexcept ImportError:\n    from .slow import g\n";
        let facts = ModuleFacts::scan(text);
        let from = |level, module: &str, name: &str| {
            Some(Bound::From(relative(level, module), name.to_owned()))
        };
        let get = |name: &str| facts.names.get(name).cloned();
        assert_eq!(get("fetch"), from(1, "impl", "fetch"));
        assert_eq!(get("entry"), from(1, "impl", "main"));
        assert_eq!(get("sibling"), from(2, "", "sibling"));
        assert_eq!(get("one"), from(0, "pkg.sub", "one"));
        assert_eq!(get("three"), from(0, "pkg.sub", "two"));
        assert_eq!(facts.names.get("a"), Some(&Bound::Module("a".to_owned())));
        assert_eq!(facts.names.get("f"), Some(&Bound::Module("d.e".to_owned())));
        assert_eq!(facts.names.get("g"), Some(&Bound::Other));
        assert_eq!(facts.stars, vec![relative(1, "all")]);
    }

    #[test]
    fn a_literal_all_says_what_a_star_import_takes() {
        let exports = |text: &str| ModuleFacts::scan(text).exports;
        assert_eq!(exports("x = 1\n"), Exports::Public);
        assert_eq!(
            exports("__all__ = ['fetch', \"main\",]\n"),
            Exports::All(vec!["fetch".to_owned(), "main".to_owned()])
        );
        assert_eq!(
            exports("__all__ = ('a',)\n__all__ += ['b']\n"),
            Exports::Unknown
        );
        assert_eq!(exports("__all__ = names()\n"), Exports::Unknown);
        assert_eq!(exports("from .impl import __all__\n"), Exports::Unknown);
        assert!(!Exports::Public.may_export("_private"));
    }

    #[test]
    fn line_breaks_of_every_kind_end_statements() {
        let text = "async def a(): pass\r\nasync def b(): pass\rx = \\\n  1\nasync def c(): pass";
        for name in ["a", "b", "c"] {
            assert_eq!(bound(text, name), Some(Bound::Coroutine), "{name}");
        }
    }
}
