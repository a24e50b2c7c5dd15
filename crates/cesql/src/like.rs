//! LIKE patterns (§3.4.3), compiled once: `%` any run, `_` one character, `\%`/`\_` literal.

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Char(char),
    One,
    Many,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LikePattern {
    pieces: Vec<Piece>,
    /// Without `_`, the literal runs between `%`s: matched with substring search.
    segments: Option<Vec<String>>,
}

impl LikePattern {
    pub fn compile(pattern: &str) -> Self {
        let mut pieces = Vec::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if matches!(chars.peek(), Some('%' | '_')) => {
                    pieces.push(Piece::Char(chars.next().expect("peeked")))
                }
                '%' => {
                    if pieces.last() != Some(&Piece::Many) {
                        pieces.push(Piece::Many)
                    }
                }
                '_' => pieces.push(Piece::One),
                c => pieces.push(Piece::Char(c)),
            }
        }
        let segments = (!pieces.contains(&Piece::One)).then(|| {
            let mut segs = vec![String::new()];
            for p in &pieces {
                match p {
                    Piece::Char(c) => segs.last_mut().expect("non-empty").push(*c),
                    Piece::Many => segs.push(String::new()),
                    Piece::One => unreachable!(),
                }
            }
            segs
        });
        LikePattern { pieces, segments }
    }

    pub fn matches(&self, s: &str) -> bool {
        match &self.segments {
            Some(segs) => match_segments(segs, s),
            None => self.match_pieces(s),
        }
    }

    /// Wildcard matching with one backtrack point (the last `%`): linear in practice, never
    /// exponential.
    fn match_pieces(&self, s: &str) -> bool {
        let text: Vec<char> = s.chars().collect();
        let p = &self.pieces;
        let (mut ti, mut pi) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while ti < text.len() {
            match p.get(pi) {
                Some(Piece::Char(c)) if *c == text[ti] => {
                    ti += 1;
                    pi += 1;
                }
                Some(Piece::One) => {
                    ti += 1;
                    pi += 1;
                }
                Some(Piece::Many) => {
                    star = Some((pi, ti));
                    pi += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        pi = sp + 1;
                        ti = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        p[pi..].iter().all(|x| *x == Piece::Many)
    }
}

fn match_segments(segs: &[String], s: &str) -> bool {
    if segs.len() == 1 {
        return s == segs[0];
    }
    let (first, last) = (&segs[0], &segs[segs.len() - 1]);
    if s.len() < first.len() + last.len()
        || !s.starts_with(first.as_str())
        || !s.ends_with(last.as_str())
    {
        return false;
    }
    let mut rest = &s[first.len()..s.len() - last.len()];
    for mid in &segs[1..segs.len() - 1] {
        match rest.find(mid.as_str()) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_escapes() {
        let m = |p: &str, s: &str| LikePattern::compile(p).matches(s);
        assert!(m("a%b%c", "azzzbzzzc") && m("a%b%c", "abc") && !m("a%b%c", "ac"));
        assert!(m("a_b_c", "azbzc") && !m("a_b_c", "abc"));
        assert!(m(r"a\_b\_c", "a_b_c") && !m(r"a\_b\_c", "azbzc"));
        assert!(m(r"a\%b", "a%b") && !m(r"a\%b", "azb"));
        assert!(m(r"ab\c", r"ab\c"));
        assert!(m("%", "") && m("", "") && !m("_", ""));
        assert!(m("%_%_", "ab") && !m("%_%_", "a"));
        assert!(m("é_", "éü"));
        assert!(m("%aa", "aaa") && m("a%a", "aa") && !m("a%a", "a"));
        assert!(!m(&"%a".repeat(30), &"a".repeat(29)));
    }
}
