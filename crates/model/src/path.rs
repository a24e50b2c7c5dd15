//! Field paths (`.spec.filters[1].cesql`, `.metadata.annotations["a.b/c"]`) and edits of a
//! `serde_json::Value` by path.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Parses a field path; `None` if it is malformed.
pub fn parse(path: &str) -> Option<Vec<Seg>> {
    let mut segs = Vec::new();
    let b = path.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'.' => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j] != b'.' && b[j] != b'[' {
                    j += 1;
                }
                if j == start {
                    return None;
                }
                segs.push(Seg::Key(path[start..j].to_string()));
                i = j;
            }
            b'[' => {
                let close = path[i..].find(']')? + i;
                let inner = &path[i + 1..close];
                if inner.starts_with('"') {
                    // A quoted key may contain `]`: find the closing quote with JSON rules.
                    let mut de =
                        serde_json::Deserializer::from_str(&path[i + 1..]).into_iter::<String>();
                    let key = de.next()?.ok()?;
                    let consumed = de.byte_offset();
                    let end = i + 1 + consumed;
                    if b.get(end) != Some(&b']') {
                        return None;
                    }
                    segs.push(Seg::Key(key));
                    i = end + 1;
                } else {
                    segs.push(Seg::Index(inner.parse().ok()?));
                    i = close + 1;
                }
            }
            _ => return None,
        }
    }
    Some(segs)
}

pub fn get<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut v = root;
    for seg in parse(path)? {
        v = match seg {
            Seg::Key(k) => v.get(k.as_str())?,
            Seg::Index(i) => v.get(i)?,
        };
    }
    Some(v)
}

/// Sets (`Some`) or removes (`None`) the value at `path`, creating maps on the way. A list index
/// equal to the list's length appends. Removing leaves emptied parents in place (they are the
/// user's). Errors name the segment that does not fit.
pub fn set(root: &mut Value, path: &str, new: Option<Value>) -> Result<(), String> {
    let segs = parse(path).ok_or_else(|| format!("malformed field path `{path}`"))?;
    let Some((last, parents)) = segs.split_last() else {
        return match new {
            Some(v) => {
                *root = v;
                Ok(())
            }
            None => Err("cannot remove the whole resource by path".into()),
        };
    };
    let mut v = root;
    for seg in parents {
        v = match seg {
            Seg::Key(k) => {
                if v.is_null() {
                    *v = Value::Object(Map::new());
                }
                let Value::Object(m) = v else {
                    return Err(format!(
                        "`{k}` is inside something that is not a mapping in `{path}`"
                    ));
                };
                if new.is_none() && !m.contains_key(k) {
                    return Ok(());
                }
                m.entry(k.clone()).or_insert(Value::Null)
            }
            Seg::Index(i) => {
                if v.is_null() && new.is_some() {
                    *v = Value::Array(Vec::new());
                }
                let Value::Array(a) = v else {
                    return Err(format!(
                        "index [{i}] is inside something that is not a list in `{path}`"
                    ));
                };
                if *i == a.len() && new.is_some() {
                    a.push(Value::Null);
                }
                match a.get_mut(*i) {
                    Some(x) => x,
                    None if new.is_none() => return Ok(()),
                    None => {
                        return Err(format!(
                            "index [{i}] is past the end of the list in `{path}`"
                        ))
                    }
                }
            }
        };
    }
    match (last, new) {
        (Seg::Key(k), Some(val)) => {
            if v.is_null() {
                *v = Value::Object(Map::new());
            }
            let Value::Object(m) = v else {
                return Err(format!(
                    "`{k}` is inside something that is not a mapping in `{path}`"
                ));
            };
            m.insert(k.clone(), val);
        }
        (Seg::Key(k), None) => {
            if let Value::Object(m) = v {
                m.shift_remove(k);
            }
        }
        (Seg::Index(i), Some(val)) => {
            if v.is_null() {
                *v = Value::Array(Vec::new());
            }
            let Value::Array(a) = v else {
                return Err(format!(
                    "index [{i}] is inside something that is not a list in `{path}`"
                ));
            };
            match *i {
                i if i < a.len() => a[i] = val,
                i if i == a.len() => a.push(val),
                _ => {
                    return Err(format!(
                        "index [{i}] is past the end of the list in `{path}`"
                    ))
                }
            }
        }
        (Seg::Index(i), None) => {
            if let Value::Array(a) = v {
                if *i < a.len() {
                    a.remove(*i);
                }
            }
        }
    }
    Ok(())
}

/// A field path as a JSON Pointer (RFC 6901): `.order.items[0]` is `/order/items/0`.
pub fn to_pointer(path: &str) -> String {
    let mut out = String::new();
    for seg in parse(path).unwrap_or_default() {
        out.push('/');
        match seg {
            Seg::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Seg::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_paths_written_by_the_loader() {
        assert_eq!(
            parse(".spec.filters[1][\"a.b]\"].x"),
            Some(vec![
                Seg::Key("spec".into()),
                Seg::Key("filters".into()),
                Seg::Index(1),
                Seg::Key("a.b]".into()),
                Seg::Key("x".into())
            ])
        );
        assert_eq!(parse(""), Some(vec![]));
        assert_eq!(parse("spec"), None);
        assert_eq!(parse(".a[x]"), None);
    }

    #[test]
    fn set_creates_appends_and_removes() {
        let mut v = json!({"spec": {"steps": [{"uri": "a"}]}});
        set(&mut v, ".spec.steps[1].uri", Some(json!("b"))).unwrap();
        set(&mut v, ".spec.delivery.retry", Some(json!(3))).unwrap();
        assert_eq!(
            v,
            json!({"spec": {"steps": [{"uri": "a"}, {"uri": "b"}], "delivery": {"retry": 3}}})
        );
        set(&mut v, ".spec.steps[0]", None).unwrap();
        set(&mut v, ".spec.nothing.here", None).unwrap();
        assert_eq!(get(&v, ".spec.steps[0].uri"), Some(&json!("b")));
        assert!(set(&mut v, ".spec.steps.x", Some(json!(1))).is_err());
    }
}
