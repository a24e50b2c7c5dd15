//! Cutting a flow file's `resources:` list into parts that parse on separate cores.
//!
//! Tokenising YAML is inherently serial, and for a large flow it is most of the loading time, so
//! the list's items are found by their lines instead: in a block sequence every item starts on a
//! line whose first non-space character is its `-`, at the sequence's indentation, and nothing
//! of an item (block scalars included) may sit at or left of that column. The cut is a guess
//! made from lines alone; the loader checks each part's parse against what the lines promised
//! (one document, a list of exactly the items counted, the rest of the file with `resources`
//! left empty at the same line) and reads the file serially when anything disagrees, so an
//! unusual file is slower to load, never read differently.

/// A flow file taken apart at its `resources:` list.
#[derive(Debug)]
pub(crate) struct Cut<'a> {
    /// The file up to and including the `resources:` line.
    pub head: &'a str,
    /// The file with each line of the list emptied: every other line keeps its number.
    pub skeleton: String,
    /// The line (from 1) of `resources:`.
    pub resources_line: u32,
    /// Consecutive runs of whole items, in order.
    pub parts: Vec<Part<'a>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Part<'a> {
    pub text: &'a str,
    /// Lines of the file before `text`.
    pub lines_before: u32,
    /// Index in the list of this part's first item.
    pub first_item: usize,
    /// How many items start in `text`.
    pub items: usize,
}

/// Below this size a file loads faster on one core than it takes to start a second.
const MIN_BYTES: usize = 64 * 1024;

/// Cuts `text`'s list into `parts` runs of items of about equal size, and makes the skeleton.
/// `None` when the file has no list that can be cut this way.
pub(crate) fn cut(text: &str, parts: usize) -> Option<Cut<'_>> {
    if text.len() < MIN_BYTES || parts < 2 {
        return None;
    }
    let mut lines = Lines { text, at: 0, n: 0 };
    let (head_end, resources_line) = loop {
        let (_, line) = lines.next()?;
        if is_document_marker(line) {
            return None;
        }
        if is_resources_key(line) {
            break (lines.at, lines.n);
        }
    };
    let mut indent = None;
    let mut starts: Vec<(usize, u32)> = Vec::new();
    let mut end = text.len();
    while let Some((start, line)) = lines.next() {
        // Most lines are inside an item: more indented than the list, which the first bytes tell.
        if indent.is_some_and(|n| {
            line.as_bytes()
                .get(..=n)
                .is_some_and(|b| b.iter().all(|&c| c == b' '))
        }) {
            continue;
        }
        let content = line.trim_start_matches(' ');
        if content.trim().is_empty() || content.starts_with('#') {
            continue;
        }
        let col = line.len() - content.len();
        let n = *indent.get_or_insert(col);
        if col > n {
            continue;
        }
        if col == n && is_item_start(content) {
            starts.push((start, lines.n - 1));
            continue;
        }
        if is_document_marker(line) {
            return None;
        }
        end = start;
        break;
    }
    if starts.len() < parts {
        return None;
    }
    // Any document marker after the list makes the file a stream: not a flow file we cut.
    if lines.any(|(_, line)| is_document_marker(line)) {
        return None;
    }
    let list_lines = memchr::memchr_iter(b'\n', &text.as_bytes()[head_end..end]).count();
    let mut skeleton = String::with_capacity(head_end + list_lines + (text.len() - end));
    skeleton.push_str(&text[..head_end]);
    skeleton.extend(std::iter::repeat_n('\n', list_lines));
    skeleton.push_str(&text[end..]);
    // Parts of about equal size, so that threads taking them in turn finish together.
    let share = (end - head_end) / parts;
    let mut bounds = vec![0usize];
    for i in 1..parts {
        let target = head_end + i * share;
        let k = starts.partition_point(|&(b, _)| b < target).max(1);
        if k < starts.len() && k > *bounds.last().expect("non-empty") {
            bounds.push(k);
        }
    }
    bounds.push(starts.len());
    let parts = bounds
        .windows(2)
        .map(|w| {
            let (from, to) = (w[0], w[1]);
            let (start, line) = if from == 0 {
                (head_end, resources_line)
            } else {
                starts[from]
            };
            let stop = starts.get(to).map_or(end, |&(b, _)| b);
            Part {
                text: &text[start..stop],
                lines_before: line,
                first_item: from,
                items: to - from,
            }
        })
        .collect();
    Some(Cut {
        head: &text[..head_end],
        skeleton,
        resources_line,
        parts,
    })
}

/// Lines with the byte offset where each starts; `n` counts the lines returned so far.
struct Lines<'a> {
    text: &'a str,
    at: usize,
    n: u32,
}

impl<'a> Iterator for Lines<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        if self.at >= self.text.len() {
            return None;
        }
        let start = self.at;
        let rest = &self.text[start..];
        let len = memchr::memchr(b'\n', rest.as_bytes()).map_or(rest.len(), |i| i + 1);
        self.at += len;
        self.n += 1;
        Some((start, rest[..len].trim_end_matches(['\n', '\r'])))
    }
}

/// `resources:` at the top level with nothing after it but a comment.
fn is_resources_key(line: &str) -> bool {
    line.strip_prefix("resources:").is_some_and(|rest| {
        rest.trim().is_empty()
            || rest.starts_with([' ', '\t']) && rest.trim_start().starts_with('#')
    })
}

fn is_item_start(content: &str) -> bool {
    content == "-" || content.starts_with("- ") || content.starts_with("-\t")
}

fn is_document_marker(line: &str) -> bool {
    (line.starts_with("---") || line.starts_with("..."))
        && line[3..]
            .chars()
            .next()
            .is_none_or(|c| c == ' ' || c == '\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(items: usize, indent: &str) -> String {
        let mut s = String::from(
            "apiVersion: knflow.dev/v1alpha1\nkind: Flow\nmetadata:\n  name: f\nresources:\n",
        );
        for i in 0..items {
            s.push_str(&format!(
                "{indent}- apiVersion: v1\n{indent}  kind: ConfigMap\n{indent}  metadata:\n{indent}    name: c{i}\n{indent}  data:\n{indent}    text: |\n{indent}      - not an item\n{indent}      # not a comment\n\n"
            ));
        }
        s.push_str("layout:\n");
        for i in 0..items {
            s.push_str(&format!("  ConfigMap/c{i}:\n    x: 1\n    y: 2\n"));
        }
        s
    }

    #[test]
    fn parts_hold_whole_items_and_keep_line_numbers() {
        for indent in ["", "  "] {
            let text = flow(2000, indent);
            let cut = cut(&text, 8).expect("a long list is cut");
            assert_eq!(cut.resources_line, 5);
            assert_eq!(cut.parts.len(), 8);
            assert_eq!(cut.parts.iter().map(|p| p.items).sum::<usize>(), 2000);
            for w in cut.parts.windows(2) {
                assert_eq!(w[1].first_item, w[0].first_item + w[0].items);
                assert!(w[1].text.starts_with(&format!("{indent}- apiVersion")));
            }
            let joined: String = cut.parts.iter().map(|p| p.text).collect();
            assert!(text.contains(&joined), "the parts are the list, in order");
            for p in &cut.parts {
                let before = text[..text.find(p.text).unwrap()].matches('\n').count();
                assert_eq!(p.lines_before as usize, before);
                // Names grow from `c0` to `c1999`: early items are a little shorter.
                assert!(
                    p.items.abs_diff(250) <= 5,
                    "parts of equal size: {}",
                    p.items
                );
            }
            // The skeleton has the file's lines, the list's emptied.
            assert_eq!(cut.skeleton.lines().count(), text.lines().count());
            assert!(cut
                .skeleton
                .ends_with("  ConfigMap/c1999:\n    x: 1\n    y: 2\n"));
            assert!(!cut.skeleton.contains("ConfigMap\n"));
        }
        assert_eq!(cut(&flow(5000, ""), 2).unwrap().parts.len(), 2);
    }

    #[test]
    fn files_that_are_not_one_flow_with_a_long_list_are_not_cut() {
        assert!(cut(&flow(10, ""), 2).is_none(), "small");
        assert!(
            cut(&format!("---\n{}", flow(2000, "")), 2).is_none(),
            "a stream"
        );
        assert!(cut(&format!("{}---\nkind: X\n", flow(2000, "")), 2).is_none());
        let inline = flow(2000, "").replace("resources:\n", "resources: # the list\n");
        assert!(cut(&inline, 2).is_some(), "a comment after the key is fine");
        let anchored = flow(2000, "").replace("resources:\n", "resources: &all\n");
        assert!(cut(&anchored, 2).is_none());
        let no_list = "resources:\n".to_string() + &"x: 1\n".repeat(20_000);
        assert!(cut(&no_list, 2).is_none());
    }
}
